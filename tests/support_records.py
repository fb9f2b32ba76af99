"""Records written straight as the owner, for tests about what is derived from them: the
database tallies them as it does for the API, and the warning scan runs as the scheduled job
runs it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa

from partyplan.resolvers.warnings.service.scan import ScanResult, scan


class Records:
    def __init__(self, engine: Any, world: Any) -> None:
        self.engine, self.world = engine, world
        self._serial = 0

    async def sql(self, statement: str, **params: Any) -> Any:
        async with self.engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params)
            return result.scalar() if result.returns_rows else None

    async def period(
        self,
        starts: date,
        ends: date,
        *,
        state: str = "issued",
        kind: str = "calendar_year",
        due: date | None = None,
    ) -> int:
        return await self.sql(
            "INSERT INTO plan_periods (commission_id, commission_path, name, kind, starts_on,"
            " ends_on, report_due_on, state) SELECT id, path, :n, :k, :s, :e, :d, :st"
            " FROM units WHERE id = :c RETURNING id",
            n=f"{starts} – {ends} #{self._next()}",
            k=kind,
            s=starts,
            e=ends,
            d=due or ends,
            st=state,
            c=self.world.units["commission"],
        )

    def _next(self) -> int:
        self._serial += 1
        return self._serial

    async def quota(self, period: int, unit: str, received: int) -> None:
        await self.sql(
            "INSERT INTO unit_quotas (period_id, unit_id, unit_path, unit_kind, school_id,"
            " received_total) SELECT :p, id, path, kind, school_id, :r FROM units WHERE id = :u",
            p=period,
            r=received,
            u=self.world.units[unit],
        )

    async def recruit(
        self,
        branch: str = "A1a",
        *,
        applied: date = date(2022, 9, 15),
        stage: str = "applicant",
        phone: bool = True,
        **dates: Any,
    ) -> int:
        serial = self._next()
        columns = {
            "activist_on": None,
            "target_on": None,
            "approved_on": None,
            "converted_on": None,
            "next_step": None,
            "next_due_on": None,
            **dates,
        }
        return await self.sql(
            "INSERT INTO recruits (school_id, branch_id, unit_path, name, gender, ethnicity,"
            " birth_date, id_number_enc, id_number_hash, id_number_masked, phone_enc, category,"
            " education, stage, stage_since, applied_on, activist_on, target_on, approved_on,"
            " converted_on, next_step, next_due_on)"
            " SELECT school_id, id, path, '某某', 'male', '汉族', '2003-05-04', '\\x00',"
            " CAST(:hash AS bytea), 'x', CASE WHEN :phone THEN CAST('\\x01' AS bytea) END,"
            " 'undergraduate', 'bachelor', :stage, :applied, :applied, :activist_on, :target_on,"
            " :approved_on, :converted_on, :next_step, :next_due_on FROM units WHERE id = :b"
            " RETURNING id",
            hash=f"h{serial}".encode(),
            phone=phone,
            stage=stage,
            applied=applied,
            b=self.world.units[branch],
            **columns,
        )

    async def step(self, recruit: int, code: str, on: date, data: dict | None = None) -> None:
        await self.sql(
            "INSERT INTO recruit_steps (recruit_id, school_id, unit_path, step_code, on_date,"
            " data, rule_version) SELECT id, school_id, unit_path, :c, :on, CAST(:d AS jsonb),"
            " 'test' FROM recruits WHERE id = :r",
            r=recruit,
            c=code,
            on=on,
            d=json.dumps(data or {}),
        )

    async def admitted(self, count: int, on: date, branch: str = "A1a") -> None:
        for _ in range(count):
            await self.recruit(
                branch,
                stage="probationary",
                activist_on=date(2023, 1, 1),
                target_on=date(2023, 6, 1),
                approved_on=on,
            )

    async def scan(self, today: date) -> ScanResult:
        async with self.engine.begin() as conn:
            return await scan(conn, today)

    async def standing(self, kind: str) -> list[sa.Row]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.text(
                    "SELECT w.*, u.name AS unit_name FROM warnings w JOIN units u ON u.id = w.unit_id"
                    " WHERE w.kind = :k AND w.status <> 'resolved' ORDER BY w.id"
                ),
                {"k": kind},
            )
            return list(rows.all())
