"""A member's 留党察看 (probation within the Party, a disciplinary sanction) on the roster.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06

细则第十四条: a member under 留党察看 whose rights are not yet restored cannot be an
introducer (入党介绍人). The roster keeps the sanction's period: ``party_probation_from`` (the
decision's date) and ``party_probation_restored_on`` (the day the member's rights were restored;
null while still under it). A member is under it on a day ``d`` when
``party_probation_from <= d`` and the restoration is missing or later than ``d``.

The 12371 member export carries no such dates (docs/12371-members.md), so the period is set by
``setMemberPartyProbation`` with a reason (audited), and a roster import sending the member again
leaves it as it is. ``member_standing`` answers with the period too, so the introducer check can
judge a member of another branch as it judges their full membership, still telling nothing else.

The table checks only that a restoration follows a beginning: "not before joining" is the
mutation's check, since a later import may move ``joined_on`` (the import must not fail on it).
"""

from __future__ import annotations

from alembic import op

from partyplan.migrations.sqlscript import app_role, execute_script

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_STANDING_BODY = """
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT {columns}
          FROM members m
          JOIN units s ON s.id = m.school_id
         WHERE m.school_id = p_school
           AND m.code = ANY (p_codes)
           AND (app_scope() @> s.path OR app_scope() <@ s.path)
    $$
"""


def _standing_function(returns: str, columns: str) -> None:
    app = app_role()
    op.execute("DROP FUNCTION member_standing(bigint, text[])")
    op.execute(
        "CREATE FUNCTION member_standing(p_school bigint, p_codes text[])"
        f" RETURNS TABLE ({returns})" + _STANDING_BODY.format(columns=columns)
    )
    op.execute("REVOKE ALL ON FUNCTION member_standing(bigint, text[]) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION member_standing(bigint, text[]) TO {app}")


def upgrade() -> None:
    execute_script(
        """
        ALTER TABLE members
            ADD COLUMN party_probation_from date,
            ADD COLUMN party_probation_restored_on date,
            ADD CONSTRAINT ck_members_party_probation_restored_on
                CHECK (party_probation_restored_on IS NULL
                       OR (party_probation_from IS NOT NULL
                           AND party_probation_restored_on >= party_probation_from));
        """
    )
    _standing_function(
        "code text, joined_on date, full_on date, left_on date,"
        " party_probation_from date, party_probation_restored_on date",
        "m.code, m.joined_on, m.full_on, m.left_on,"
        " m.party_probation_from, m.party_probation_restored_on",
    )


def downgrade() -> None:
    _standing_function(
        "code text, joined_on date, full_on date, left_on date",
        "m.code, m.joined_on, m.full_on, m.left_on",
    )
    execute_script(
        """
        ALTER TABLE members
            DROP CONSTRAINT ck_members_party_probation_restored_on,
            DROP COLUMN party_probation_restored_on,
            DROP COLUMN party_probation_from;
        """
    )
