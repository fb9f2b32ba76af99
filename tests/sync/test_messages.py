"""syncRecruits: a sync job's refusals are read by the people who run it, in Chinese; the code
and field stay the contract the job acts on."""

from __future__ import annotations

from support_messages import assert_chinese
from support_sync import FILING, record, sync


async def test_a_syncs_refusals_are_chinese(gql, world) -> None:  # type: ignore[no-untyped-def]
    payload = await sync(gql, world, [record(world, 10, steps=[FILING])])
    [refused] = payload["results"]
    assert refused["outcome"] == "REFUSED"
    [forbidden] = refused["errors"]
    assert (forbidden["code"], forbidden["field"]) == ("FORBIDDEN", "records.0.steps.0.step")
    assert_chinese(forbidden["message"])
    assert forbidden["message"] == "您的角色无权记录该步骤"
    summary = payload["errors"][0]
    assert (summary["code"], summary["field"]) == ("RECORDS_REFUSED", "records")
    assert_chinese(summary["message"])
    assert summary["message"].startswith("1 条记录被拒绝")

    keyless = await sync(gql, world, [record(world, 11)], key="")
    [invalid] = keyless["errors"]
    assert (invalid["code"], invalid["field"]) == ("INVALID_KEY", "idempotencyKey")
    assert_chinese(invalid["message"])
