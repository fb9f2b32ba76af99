"""Balances keep their sub-quotas within their totals: the database's guard of plans.rules.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

0002's CHECK constraints hold the fit of a unit's figures (what it hands down plus its reserve
never exceeds what it received) but not the sub-quota bounds, so returning ``{total: 2}`` from
``{total: 2, students: 1}`` left ``received {total: 0, students: 1}``. The service now refuses
such a movement (SUBQUOTA_EXCEEDS_TOTAL); these constraints are the last guard, so that no
path (a bulk load, a maintenance statement) writes such a balance:

* ``ck_unit_quotas_{figure}_subquotas`` on received, handed, reserve and forecast: every
  sub-quota >= 0, students + staff <= total, high_knowledge <= total;
* ``ck_unit_quotas_available_subquotas``: the same bounds on received - handed - reserve, what
  a unit may still hand down, for every unit but the commission (it issues without a ceiling,
  so its "available" is negative by design).

A balance written before this revision may break them. The migration then does not fail (it
runs at every start, and the rows need an operator's judgement): such a constraint is added
NOT VALID, which enforces it on every write from now on, old rows included once touched, and
``partyplan plans verify`` lists the rows to repair. On a clean installation every constraint
is validated at once.
"""

from __future__ import annotations

from partyplan.migrations.sqlscript import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DIMENSIONS = ("total", "students", "staff", "high_knowledge")
FIGURES = ("received", "handed", "reserve", "forecast")


def _bounds(value: dict[str, str]) -> str:
    """The sub-quota bounds on one balance, given the SQL of each of its dimensions."""
    total, students, staff, high = (value[d] for d in DIMENSIONS)
    return (
        f"{students} >= 0 AND {staff} >= 0 AND {high} >= 0"
        f" AND {students} + {staff} <= {total} AND {high} <= {total}"
    )


def _checks() -> dict[str, str]:
    checks = {
        f"ck_unit_quotas_{figure}_subquotas": _bounds({d: f"{figure}_{d}" for d in DIMENSIONS})
        for figure in FIGURES
    }
    available = {d: f"(received_{d} - handed_{d} - reserve_{d})" for d in DIMENSIONS}
    checks["ck_unit_quotas_available_subquotas"] = (
        f"unit_kind = 'commission' OR ({_bounds(available)})"
    )
    return checks


def upgrade() -> None:
    statements = []
    for name, check in _checks().items():
        statements.append(
            f"""
            ALTER TABLE unit_quotas ADD CONSTRAINT {name} CHECK ({check}) NOT VALID;
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM unit_quotas WHERE NOT ({check})) THEN
                    ALTER TABLE unit_quotas VALIDATE CONSTRAINT {name};
                END IF;
            END $$;
            """
        )
    execute_script("\n".join(statements))


def downgrade() -> None:
    execute_script(
        "\n".join(f"ALTER TABLE unit_quotas DROP CONSTRAINT {name};" for name in _checks())
    )
