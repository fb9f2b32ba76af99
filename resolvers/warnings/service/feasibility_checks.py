"""The infeasible-quota rule: a unit whose quota received, or forecast, exceeds the admissions
still possible in an open period — those made so far plus those the rule table still allows
before its end (docs/feasible-admissions.md). The figures are the feasibility domain's."""

from __future__ import annotations

from typing import Any

from partyplan.resolvers.feasibility.service import quota_checks

from ..rules.detection import Candidate, Detection, ScanContext

_NAMES = {"received": "收到的名额", "forecast": "预计数"}


async def infeasible_quota(ctx: ScanContext, params: dict[str, Any]) -> Detection:
    # Every period is judged: one that closed or ended resolves what it raised.
    detection = Detection(prefixes=[f"{p.id}:" for p in ctx.periods])
    for period in ctx.periods:
        for found in await quota_checks(ctx.conn, period, ctx.today, params["margin"]):
            line = found.line
            reachable = line.admitted + found.feasible
            over = "，".join(f"{_NAMES[k]}超出 {n} 名" for k, n in found.over.items())
            detection.candidates.append(
                Candidate(
                    key=f"{period.id}:{line.unit_id}",
                    unit_id=line.unit_id,
                    unit_path=line.path,
                    school_id=line.school_id,
                    period_id=period.id,
                    message=(
                        f"{line.name}：{period.name}收到名额 {line.received} 名、预计 "
                        f"{line.forecast} 名，已接收 {line.admitted} 名，按发展程序至 "
                        f"{period.ends_on} 尚可接收 {found.feasible} 名，合计至多 {reachable} "
                        f"名：{over}"
                    ),
                    evidence={
                        "received": line.received,
                        "forecast": line.forecast,
                        "admitted": line.admitted,
                        "feasible": found.feasible,
                        "margin": params["margin"],
                        "over": found.over,
                    },
                )
            )
    return detection
