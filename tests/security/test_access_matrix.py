"""Every query and mutation, refused the right way: no token → UNAUTHENTICATED; a bad token
(expired, another key, ``alg: none``, HS256 signed with the public key) → UNAUTHENTICATED; the
wrong role → FORBIDDEN; a caller from another school → NOT_FOUND. Each case also has a positive
control with the right caller, so a resolver that refuses everyone fails here too.

``test_matrix_covers_every_root_field`` fails when a field is added without a row here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
import support_clients as clients_api
import support_recruits as recruits_api
from support import codes, gid, id_number, scalar
from support_matrix import Case, extra_cases, prepare_extra

from partyplan.auth.keys import KeyStore
from partyplan.auth.tokens import TokenService
from partyplan.resolvers.warnings.service.scan import scan
from partyplan.schema.schema import Mutation, Query

W = Any  # the conftest World
MATRIX_PASSWORD = "the matrix password"


def _sheet(title: str, headers: list[str], row: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def call(client, case: Case, variables: dict[str, Any], token: str | None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The case's document as JSON, or as a multipart request carrying its file."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    if case.upload is None:
        body: dict[str, Any] = {"json": {"query": case.document, "variables": variables}}
    else:
        operations = {"query": case.document, "variables": variables}
        body = {
            "data": {"operations": json.dumps(operations), "map": '{"0": ["variables.f"]}'},
            "files": {"0": ("12371.xlsx", case.upload(), "application/octet-stream")},
        }
    response = await client.post("/graphql", headers=headers, **body)
    assert response.status_code == 200, response.text
    return response.json()


def _unit(key: str) -> Callable[[W, dict[str, str]], dict[str, Any]]:
    return lambda w, c: {"id": w.gid(key)}


CASES: dict[str, Case] = {
    "node": Case(
        "query($id: ID!) { node(id: $id) { id } }",
        _unit("A1a"),
        "school_admin",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads units; an account without any role reaches nothing",
    ),
    "unit": Case(
        "query($id: ID!) { unit(id: $id) { name } }",
        _unit("A1a"),
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads units; an account without any role reaches nothing",
    ),
    "units": Case(
        "query($id: ID) { units(under: $id) { edges { node { name } } } }",
        _unit("A"),
        "viewer",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
    ),
    "me": Case(
        "{ me { user { username } } }",
        lambda w, c: {},
        "nobody",
        None,
        None,
        "every authenticated caller sees itself",
    ),
    "roles": Case(
        "{ roles { name } }",
        lambda w, c: {},
        "nobody",
        None,
        None,
        "role definitions are platform data, not a tenant's",
    ),
    "users": Case(
        "query($id: ID) { users(under: $id) { edges { node { username } } } }",
        _unit("A"),
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "auditTrail": Case(
        "query($id: ID!) { auditTrail(objectId: $id) { edges { node { operation } } } }",
        _unit("A1a"),
        "unit_admin",
        ("branch_secretary", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "createUnit": Case(
        'mutation($id: ID!) { createUnit(input: {parentId: $id, kind: BRANCH, name: "新支部"})'
        " { unit { id } errors { code } } }",
        _unit("A1"),
        "unit_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "renameUnit": Case(
        'mutation($id: ID!) { renameUnit(input: {unitId: $id, name: "改名"}) { unit { name } } }',
        _unit("A1a"),
        "school_admin",
        ("branch_secretary", "FORBIDDEN"),
        "other_school_admin",
    ),
    "moveUnit": Case(
        "mutation($id: ID!, $to: ID!) { moveUnit(input: {unitId: $id, newParentId: $to})"
        " { unit { id } errors { code } } }",
        lambda w, c: {"id": w.gid("A1b"), "to": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "deactivateUnit": Case(
        "mutation($id: ID!) { deactivateUnit(input: {unitId: $id}) { unit { active } } }",
        _unit("A2"),
        "school_admin",
        ("branch_secretary", "NOT_FOUND"),
        "other_school_admin",
        "a branch secretary's scope is its branch: A2 is outside it",
    ),
    "createUser": Case(
        'mutation($id: ID!) { createUser(input: {homeUnitId: $id, username: "new-user",'
        ' displayName: "新用户"}) { user { id } errors { code } } }',
        _unit("A1a"),
        "unit_admin",
        ("branch_secretary", "FORBIDDEN"),
        "other_school_admin",
    ),
    "grantRole": Case(
        'mutation($u: ID!, $id: ID!) { grantRole(input: {userId: $u, role: "viewer", unitId: $id})'
        " { roleBinding { id } errors { code } } }",
        lambda w, c: {"u": w.uid("nobody"), "id": w.gid("A1")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "revokeRole": Case(
        "mutation($id: ID!) { revokeRole(input: {roleBindingId: $id}) { roleBinding { id } errors { code } } }",
        lambda w, c: {"id": gid("RoleBinding", w.bindings["sync_agent"])},
        "commission_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "updateUser": Case(
        'mutation($u: ID!) { updateUser(input: {userId: $u, displayName: "改名"})'
        " { user { id } errors { code } } }",
        lambda w, c: {"u": w.uid("nobody")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "deactivateUser": Case(
        "mutation($u: ID!) { deactivateUser(input: {userId: $u}) { user { id } errors { code } } }",
        lambda w, c: {"u": w.uid("nobody")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "resetPassword": Case(
        'mutation($u: ID!) { resetPassword(input: {userId: $u, password: "a long new password"})'
        " { user { id } errors { code } } }",
        lambda w, c: {"u": w.uid("nobody")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "reactivateUser": Case(
        "mutation($u: ID!) { reactivateUser(input: {userId: $u}) { user { id } errors { code } } }",
        lambda w, c: {"u": w.uid("nobody")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "the fixture deactivates the account first",
    ),
    "changePassword": Case(
        f'mutation {{ changePassword(input: {{currentPassword: "{MATRIX_PASSWORD}",'
        ' newPassword: "another long password"}) { user { id } errors { code } } }',
        lambda w, c: {},
        "nobody",
        None,
        None,
        "one's own password: every signed-in person, no other account (set in the fixture)",
    ),
    # Plans. Periods belong to a commission, not a school: the "other" caller for them is
    # another commission; a school's figures are NOT_FOUND for another school.
    "planPeriods": Case(
        "{ planPeriods { name } }",
        lambda w, c: {},
        "viewer",
        ("nobody", "FORBIDDEN"),
        None,
        "periods are commission-wide; another commission's list is empty",
    ),
    "plan": Case(
        "query($u: ID!, $p: ID!) { plan(unitId: $u, periodId: $p) {"
        " line { received { total } feasibleAdmissions { count } } } }",
        lambda w, c: {"u": w.gid("A1"), "p": c["period"]},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "rollup": Case(
        """query($u: ID!, $p: ID!) { rollup(unitId: $u, periodId: $p) {
             line { admitted openWarnings { kind count } feasibleAdmissions { count } }
             months { admitted }
             years { admitted } } }""",
        lambda w, c: {"u": w.gid("A1"), "p": c["period"]},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "quotaLedger": Case(
        "query($u: ID!, $p: ID!) { quotaLedger(unitId: $u, periodId: $p) { edges { cursor } } }",
        lambda w, c: {"u": w.gid("A1"), "p": c["period"]},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "planSuggestion": Case(
        "query($u: ID!, $p: ID!) { planSuggestion(unitId: $u, periodId: $p) { suggested } }",
        lambda w, c: {"u": w.gid("A1"), "p": c["period"]},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "dispatchRounds": Case(
        "query($p: ID!) { dispatchRounds(periodId: $p) { name } }",
        lambda w, c: {"p": c["period"]},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "createPlanPeriod": Case(
        'mutation($c: ID!) { createPlanPeriod(input: {commissionId: $c, name: "2024 年度",'
        ' kind: CALENDAR_YEAR, startsOn: "2024-01-01", endsOn: "2024-12-31"})'
        " { period { id } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "publishPlanPeriod": Case(
        "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { period { state } errors { code } } }",
        lambda w, c: {"p": c["draft"]},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "closePlanPeriod": Case(
        "mutation($p: ID!) { closePlanPeriod(input: {periodId: $p}) { period { state } errors { code } } }",
        lambda w, c: {"p": c["period"]},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "issuePlan": Case(
        "mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s,"
        ' amounts: {total: 3}, documentNo: "晋教工委组〔2023〕23号"}) { movement { id } errors { code } } }',
        lambda w, c: {"p": c["period"], "s": w.gid("A")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "supplementQuota": Case(
        "mutation($p: ID!, $s: ID!) { supplementQuota(input: {periodId: $p, schoolId: $s,"
        ' amounts: {total: 2}, reason: "追加", documentNo: "x"}) { movement { id } errors { code } } }',
        lambda w, c: {"p": c["period"], "s": w.gid("A")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "allocateQuota": Case(
        "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {periodId: $p, fromUnitId: $f,"
        " toUnitId: $t, amounts: {total: 1}}) { movement { id } errors { code } } }",
        lambda w, c: {"p": c["period"], "f": w.gid("A"), "t": w.gid("A2")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "transferQuota": Case(
        "mutation($p: ID!, $f: ID!, $t: ID!) { transferQuota(input: {periodId: $p, fromUnitId: $f,"
        ' toUnitId: $t, amounts: {total: 1}, reason: "调剂", documentNo: "x"})'
        " { movement { id } errors { code } } }",
        lambda w, c: {"p": c["period"], "f": w.gid("A1"), "t": w.gid("A2")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "returnQuota": Case(
        "mutation($p: ID!, $u: ID!) { returnQuota(input: {periodId: $p, unitId: $u,"
        ' amounts: {total: 1}, reason: "退回", documentNo: "x"}) { movement { id } errors { code } } }',
        lambda w, c: {"p": c["period"], "u": w.gid("A1")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "setReserve": Case(
        "mutation($p: ID!, $u: ID!) { setReserve(input: {periodId: $p, unitId: $u,"
        " reserve: {total: 1}}) { movement { id } errors { code } } }",
        lambda w, c: {"p": c["period"], "u": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "submitForecast": Case(
        "mutation($p: ID!, $u: ID!) { submitForecast(input: {periodId: $p, unitId: $u,"
        ' amounts: {total: 2}, remark: "2 名教师"}) { forecast { remark } errors { code } } }',
        lambda w, c: {"p": c["period"], "u": w.gid("A1a")},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "setLinkageRules": Case(
        "mutation($c: ID!) { setLinkageRules(input: {commissionId: $c, capRatioOfActual: 1.1})"
        " { rules { capRatioOfActual } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    # Recruits. Every role reads recruits in its units: an account without a role reaches none.
    "recruit": Case(
        "query($id: ID!) { recruit(id: $id) { name idNumber } }",
        lambda w, c: {"id": c["recruit"]},
        "viewer",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads recruits",
    ),
    "recruits": Case(
        "query($u: ID) { recruits(under: $u) { edges { node { name } } } }",
        lambda w, c: {"u": w.gid("A1")},
        "viewer",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads recruits",
    ),
    "members": Case(
        "query($u: ID) { members(under: $u) { edges { node { code status } } } }",
        lambda w, c: {"u": w.gid("A1a")},
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "whoever reads recruits reads the roster of the same units",
    ),
    "importMembers": Case(
        "mutation($s: ID!, $b: ID!) { importMembers(input: {schoolId: $s, members: [{code:"
        ' "m-900", name: "周红", branchId: $b, joinedOn: "2010-07-01",'
        ' fullOn: "2011-07-01"}]}) { inserted errors { code } } }',
        lambda w, c: {"s": w.gid("A"), "b": w.gid("A1b")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "createRecruit": Case(
        'mutation($b: ID!, $n: String!) { createRecruit(input: {branchId: $b, name: "王芳",'
        ' gender: FEMALE, ethnicity: "回族", birthDate: "2004-02-29", idNumber: $n,'
        ' category: UNDERGRADUATE, education: BELOW_COLLEGE, applicationDate: "2023-03-01"})'
        " { recruit { id } errors { code } } }",
        lambda w, c: {"b": w.gid("A1a"), "n": id_number("20040229", 7, female=True)},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "recordStep": Case(
        'mutation($r: ID!) { recordStep(input: {recruitId: $r, step: TALK, on: "2022-10-10",'
        ' data: {talked_by: "书记"}}) { recruit { stage } errors { code } } }',
        lambda w, c: {"r": c["recruit"]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "correctStep": Case(
        'mutation($s: ID!) { correctStep(input: {stepId: $s, on: "2022-09-16", data: {},'
        ' reason: "笔误"}) { recruit { stage } errors { code } } }',
        lambda w, c: {"s": c["application_step"]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "transferRecruit": Case(
        "mutation($r: ID!, $b: ID!) { transferRecruit(input: {recruitId: $r, toBranchId: $b,"
        ' reason: "调整"}) { recruit { id } errors { code } } }',
        lambda w, c: {"r": c["unfiled_recruit"], "b": w.gid("A2")},
        "school_admin",
        ("unit_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "importRecruits": Case(
        "mutation($b: ID!, $n: String!) { importRecruits(input: {rows: [{branchId: $b,"
        ' name: "周敏", gender: FEMALE, ethnicity: "汉族", birthDate: "2004-02-29",'
        " idNumber: $n, category: UNDERGRADUATE, education: BELOW_COLLEGE,"
        ' applicationDate: "2023-03-01"}]}) { recruits { id } errors { code } } }',
        lambda w, c: {"b": w.gid("A1a"), "n": id_number("20040229", 8, female=True)},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "syncRecruits": Case(
        "mutation($s: ID!, $b: ID!, $n: String!) { syncRecruits(input: {schoolId: $s,"
        ' idempotencyKey: "matrix", records: [{branchId: $b, name: "周敏", gender: FEMALE,'
        ' ethnicity: "汉族", birthDate: "2004-02-29", idNumber: $n, category: UNDERGRADUATE,'
        ' education: BELOW_COLLEGE, applicationDate: "2023-03-01"}]})'
        " { replayed errors { code } } }",
        lambda w, c: {
            "s": w.gid("A"),
            "b": w.gid("A1a"),
            "n": id_number("20040229", 9, female=True),
        },
        "sync_agent",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "sync.exchange at the school; the record is created as importRecruits would",
    ),
    "workingCalendar": Case(
        "query($u: ID!) { workingCalendar(unitId: $u, year: 2023) { holidays } }",
        lambda w, c: {"u": w.gid("A1a")},
        "branch_secretary",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads the calendar of its units",
    ),
    "stepDefinitions": Case(
        "{ stepDefinitions { code fields { name kind label } } }",
        lambda w, c: {},
        "nobody",
        None,
        None,
        "the public procedure: every authenticated caller, of any school, reads it",
    ),
    "ruleOverlays": Case(
        "query($u: ID!) { ruleOverlays(unitId: $u) { id } }",
        lambda w, c: {"u": w.gid("A1a")},
        "viewer",
        ("nobody", "NOT_FOUND"),
        "other_school_admin",
        "every role reads the rules of its units",
    ),
    "setWorkingCalendar": Case(
        "mutation($c: ID!) { setWorkingCalendar(input: {commissionId: $c, year: 2023,"
        ' holidays: ["2023-10-02"], makeupWorkdays: ["2023-10-07"]})'
        " { calendar { year } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "setRuleOverlay": Case(
        "mutation($c: ID!, $o: JSON!) { setRuleOverlay(input: {commissionId: $c, overlay: $o})"
        " { overlay { id } errors { code } } }",
        lambda w, c: {"c": w.gid("commission"), "o": _overlay_body()},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "setCommissionRegion": Case(
        'mutation($c: ID!) { setCommissionRegion(input: {commissionId: $c, regionCode: "50"})'
        " { commission { regionCode } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "extendProbation": Case(
        'mutation($r: ID!) { extendProbation(input: {recruitId: $r, on: "2025-06-05",'
        " months: 6}) { recruit { stage } errors { code } } }",
        lambda w, c: {"r": c["probationer"]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "cancelProbation": Case(
        'mutation($r: ID!) { cancelProbation(input: {recruitId: $r, on: "2025-06-05",'
        ' reason: "不具备条件"}) { recruit { stage } errors { code } } }',
        lambda w, c: {"r": c["probationer"]},
        "branch_secretary",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "filings": Case(
        "query($u: ID) { filings(under: $u) { edges { node { programme } } } }",
        lambda w, c: {"u": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "fileTalent": Case(
        'mutation($r: ID!) { fileTalent(input: {recruitId: $r, programme: "三晋英才"})'
        " { filing { id } errors { code } } }",
        lambda w, c: {"r": c["unfiled_recruit"]},
        "school_admin",
        ("branch_secretary", "FORBIDDEN"),
        "other_school_admin",
    ),
    "warnings": Case(
        "query($u: ID!) { warnings(under: $u) { edges { node { kind unitName } } } }",
        lambda w, c: {"u": w.gid("A1")},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "warningRules": Case(
        "query($c: ID!) { warningRules(commissionId: $c) { kind params } }",
        lambda w, c: {"c": w.gid("commission")},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_commission_admin",
        "commission-wide data, seen down the tree",
    ),
    "acknowledgeWarning": Case(
        'mutation($w: ID!) { acknowledgeWarning(input: {warningId: $w, note: "已督促补录"})'
        " { warning { status } errors { code } } }",
        lambda w, c: {"w": c["warning"]},
        "unit_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "setWarningRule": Case(
        "mutation($c: ID!) { setWarningRule(input: {commissionId: $c, kind: RUSHED,"
        " params: {max_share: 0.6}}) { rule { params } errors { code } } }",
        lambda w, c: {"c": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "reports": Case(
        "query($u: ID!) { reports(under: $u) { edges { node { status content } } } }",
        lambda w, c: {"u": w.gid("A")},
        "viewer",
        ("sync_agent", "FORBIDDEN"),
        "other_school_admin",
    ),
    "export12371": Case(
        "query($s: ID!) { export12371(schoolId: $s, stage: ACTIVIST) { masked downloadUrl } }",
        lambda w, c: {"s": w.gid("A")},
        "viewer",
        ("branch_secretary", "NOT_FOUND"),
        "other_school_admin",
        "every role at the school reads recruits; a branch's secretary does not reach the school",
    ),
    "import12371": Case(
        "mutation($s: ID!, $f: Upload!) { import12371(schoolId: $s, file: $f)"
        " { report { onlyIn12371 } errors { code } } }",
        lambda w, c: {"s": w.gid("A"), "f": None},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
        "recording recruits at the school; reading them is not enough",
        upload=lambda: _sheet(
            "入党申请人", ["姓名", "公民身份号码"], ["周敏", id_number("20040229", 3)]
        ),
    ),
    "reconciliationReport": Case(
        "query($id: ID!) { reconciliationReport(id: $id) { rowsRead status } }",
        lambda w, c: {"id": c["reconciliation"]},
        "viewer",
        ("branch_secretary", "NOT_FOUND"),
        "other_school_admin",
        "a school's report: a branch's secretary does not reach it",
    ),
    "applyReconciliation": Case(
        "mutation($r: ID!) { applyReconciliation(input: {reportId: $r, decisions: []})"
        " { report { status } errors { code } } }",
        lambda w, c: {"r": c["reconciliation"]},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "importMembers12371": Case(
        "mutation($s: ID!, $f: Upload!) { importMembers12371(schoolId: $s, file: $f)"
        " { inserted errors { code } } }",
        lambda w, c: {"s": w.gid("A"), "f": None},
        "sync_agent",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
        "a roster from 12371: member.manage and sync.exchange",
        upload=lambda: _sheet(
            "党员",
            ["人员编号", "姓名", "所在党支部", "入党日期"],
            ["m-901", "周红", "甲院第一党支部", "2010-07-01"],
        ),
    ),
    "saveReportDraft": Case(
        "mutation($p: ID!, $u: ID!) { saveReportDraft(input: {periodId: $p, unitId: $u,"
        ' narrative: "正文"}) { report { status } errors { code } } }',
        lambda w, c: {"p": c["period"], "u": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "submitReport": Case(
        "mutation($p: ID!, $u: ID!) { submitReport(input: {periodId: $p, unitId: $u})"
        " { report { contentHash } errors { code } } }",
        lambda w, c: {"p": c["period"], "u": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    "acknowledgeReport": Case(
        "mutation($r: ID!) { acknowledgeReport(input: {reportId: $r}) { report { status }"
        " errors { code } } }",
        lambda w, c: {"r": c["report"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "returnReport": Case(
        'mutation($r: ID!) { returnReport(input: {reportId: $r, reason: "请补充"})'
        " { report { status } errors { code } } }",
        lambda w, c: {"r": c["report"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "acknowledgeFiling": Case(
        "mutation($f: ID!) { acknowledgeFiling(input: {filingId: $f}) { filing { status } errors { code } } }",
        lambda w, c: {"f": c["filing"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "returnFiling": Case(
        'mutation($f: ID!) { returnFiling(input: {filingId: $f, reason: "不符合"})'
        " { filing { status } errors { code } } }",
        lambda w, c: {"f": c["filing"]},
        "commission_admin",
        ("school_admin", "FORBIDDEN"),
        "other_school_admin",
    ),
    "createDispatchRound": Case(
        "mutation($p: ID!, $u: ID!) { createDispatchRound(input: {periodId: $p, unitId: $u,"
        ' name: "年中调度"}) { round { id } errors { code } } }',
        lambda w, c: {"p": c["period"], "u": w.gid("A")},
        "school_admin",
        ("viewer", "FORBIDDEN"),
        "other_school_admin",
    ),
    # OAuth2 clients: registered and managed by the commission's administrators (client.manage).
    "clients": Case(
        "query($u: ID) { clients(under: $u) { edges { node { clientId } } } }",
        lambda w, c: {"u": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "registerClient": Case(
        'mutation($u: ID!) { registerClient(input: {name: "工作台", kind: FRONT_END, unitId: $u,'
        ' redirectUris: ["https://app.example/cb"], allowedScopes: ["read"]})'
        " { client { id } errors { code } } }",
        lambda w, c: {"u": w.gid("commission")},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "rotateClientSecret": Case(
        "mutation($id: ID!) { rotateClientSecret(input: {clientId: $id})"
        " { clientSecret errors { code } } }",
        lambda w, c: {"id": c["service_client"]},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
    "disableClient": Case(
        "mutation($id: ID!) { disableClient(input: {clientId: $id}) { client { active }"
        " errors { code } } }",
        lambda w, c: {"id": c["front_end_client"]},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_school_admin",
        "a client at the commission is out of a school's reach",
    ),
    # The change feed: whoever reads recruits reads what changed under its units.
    "changes": Case(
        "{ changes(first: 10) { edges { node { kind objectId } } pageInfo { endCursor } } }",
        lambda w, c: {},
        "sync_agent",
        ("nobody", "FORBIDDEN"),
        None,
        "names no object: another school's changes are absent from its feed (tests/feed)",
    ),
    # Trusted documents: a client's administrators register them (client.manage).
    "registerDocuments": Case(
        "mutation($id: ID!) { registerDocuments(input: {clientId: $id,"
        ' documents: ["{ roles { name } }"]}) { documentIds errors { code } } }',
        lambda w, c: {"id": c["front_end_client"]},
        "commission_admin",
        ("commission_viewer", "FORBIDDEN"),
        "other_commission_admin",
    ),
}


def _payload_errors(result: dict[str, Any]) -> list[Any]:
    data = result.get("data") or {}
    return [
        error
        for value in data.values()
        if isinstance(value, dict)
        for error in value.get("errors") or []
    ]


REVIEW_FIELDS = {"acknowledgeReport", "returnReport"}  # need a submitted report
PROBATION_FIELDS = {"extendProbation", "cancelProbation"}


@pytest.fixture
async def context(gql, world, request, owner_engine) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An issued period with quota at school A and committee A1, a draft period, recruits and a
    filing; for the probation fields, also a recruit walked to probation."""
    admin = world.tokens["commission_admin"]

    async def run(document: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        result = await gql(document, variables, token)
        assert "errors" not in result, result
        payload = next(iter(result["data"].values()))
        assert not payload["errors"], payload
        return payload

    create = (
        "mutation($c: ID!, $n: String!, $s: Date!, $e: Date!) { createPlanPeriod(input: {"
        "commissionId: $c, name: $n, kind: CALENDAR_YEAR, startsOn: $s, endsOn: $e})"
        " { period { id } errors { code } } }"
    )
    ids = {}
    for key, name, year in (("period", "2023 年度", 2023), ("draft", "2025 年度", 2025)):
        payload = await run(
            create,
            {"c": world.gid("commission"), "n": name, "s": f"{year}-01-01", "e": f"{year}-12-31"},
            admin,
        )
        ids[key] = payload["period"]["id"]
    await run(
        "mutation($p: ID!) { publishPlanPeriod(input: {periodId: $p}) { errors { code } } }",
        {"p": ids["period"]},
        admin,
    )
    await run(
        "mutation($p: ID!, $s: ID!) { issuePlan(input: {periodId: $p, schoolId: $s, amounts:"
        ' {total: 10}, documentNo: "x"}) { errors { code } } }',
        {"p": ids["period"], "s": world.gid("A")},
        admin,
    )
    await run(
        "mutation($p: ID!, $f: ID!, $t: ID!) { allocateQuota(input: {periodId: $p,"
        " fromUnitId: $f, toUnitId: $t, amounts: {total: 4}}) { errors { code } } }",
        {"p": ids["period"], "f": world.gid("A"), "t": world.gid("A1")},
        world.tokens["school_admin"],
    )
    created = await run(
        'mutation($b: ID!, $n: String!) { createRecruit(input: {branchId: $b, name: "李明",'
        ' gender: MALE, ethnicity: "汉族", birthDate: "2003-05-04", idNumber: $n,'
        ' category: UNDERGRADUATE, education: BELOW_COLLEGE, applicationDate: "2022-09-15"})'
        " { recruit { id } errors { code } } }",
        {"b": world.gid("A1a"), "n": id_number("20030504", 12)},
        world.tokens["branch_secretary"],
    )
    ids["recruit"] = created["recruit"]["id"]
    steps = await gql(
        "query($r: ID!) { recruit(id: $r) { steps { id } } }",
        {"r": ids["recruit"]},
        world.tokens["branch_secretary"],
    )
    ids["application_step"] = steps["data"]["recruit"]["steps"][0]["id"]
    second = await run(
        'mutation($b: ID!, $n: String!) { createRecruit(input: {branchId: $b, name: "张华",'
        ' gender: MALE, ethnicity: "汉族", birthDate: "2003-05-04", idNumber: $n,'
        ' category: TEACHER, education: DOCTORATE, applicationDate: "2022-09-15"})'
        " { recruit { id } errors { code } } }",
        {"b": world.gid("A1a"), "n": id_number("20030504", 13)},
        world.tokens["school_admin"],
    )
    ids["unfiled_recruit"] = second["recruit"]["id"]
    filed = await run(
        'mutation($r: ID!) { fileTalent(input: {recruitId: $r, programme: "国家级人才计划"})'
        " { filing { id } errors { code } } }",
        {"r": ids["recruit"]},
        world.tokens["school_admin"],
    )
    ids["filing"] = filed["filing"]["id"]
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("field") in PROBATION_FIELDS:
        walked = await recruits_api.create(
            gql, world, idNumber=id_number("20030504", 14), name="赵敏"
        )
        ids["probationer"] = walked["recruit"]["id"]
        walk = recruits_api.WALK
        for code, on, data, account in walk[: [w[0] for w in walk].index("oath") + 1]:
            done = await recruits_api.step(gql, world, ids["probationer"], code, on, data, account)
            assert done["errors"] == [], done
    else:
        ids["probationer"] = ids["recruit"]
    report = (
        await run(
            "mutation($p: ID!, $u: ID!) { submitReport(input: {periodId: $p, unitId: $u})"
            " { report { id } errors { code } } }",
            {"p": ids["period"], "u": world.gid("A")},
            world.tokens["school_admin"],
        )
        if callspec is not None and callspec.params.get("field") in REVIEW_FIELDS
        else None
    )
    ids["report"] = report["report"]["id"] if report else gid("ExecutionReport", 0)
    async with owner_engine.begin() as conn:  # the scheduled scan: the recruits lack phones
        await scan(conn, date(2024, 7, 1))
        warning = await conn.scalar(
            sa.text("SELECT min(id) FROM warnings WHERE kind = 'missing_data'")
        )
    ids["warning"] = gid("Warning", warning)
    field = callspec.params.get("field") if callspec is not None else None
    if field == "changePassword":  # a password of one's own to prove
        await run(
            "mutation($u: ID!, $p: String!) { resetPassword(input: {userId: $u, password: $p})"
            " { errors { code } } }",
            {"u": world.uid("nobody"), "p": MATRIX_PASSWORD},
            world.tokens["school_admin"],
        )
    elif field == "reactivateUser":  # an account to reactivate
        await run(
            "mutation($u: ID!) { deactivateUser(input: {userId: $u}) { errors { code } } }",
            {"u": world.uid("nobody")},
            world.tokens["school_admin"],
        )
    ids |= await clients_api.matrix_ids(gql, world)
    async with owner_engine.begin() as conn:
        report = await conn.scalar(
            sa.text(
                "INSERT INTO reconciliation_reports (school_id, unit_path, file_name,"
                " file_sha256, file_bytes, stages, rows_read)"
                " SELECT id, path, 'matrix.xlsx', '\\x00', 1, '{applicant}', 0"
                " FROM units WHERE id = :a RETURNING id"
            ),
            {"a": world.units["A"]},
        )
    ids["reconciliation"] = gid("ReconciliationReport", report)
    ids |= await prepare_extra(gql, world, owner_engine, field, ids)
    return ids


CASES |= extra_cases(CASES)


def test_matrix_covers_every_root_field() -> None:
    fields = {
        f.graphql_name or _camel(f.python_name)
        for t in (Query, Mutation)
        for f in t.__strawberry_definition__.fields
    }
    assert fields == set(CASES), "add a row for each new query or mutation"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


FIELDS = sorted(CASES)


@pytest.mark.parametrize("field", FIELDS)
async def test_right_caller_succeeds(field: str, client, world, context, owner_engine) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    entries = await scalar(owner_engine, "SELECT count(*) FROM audit_log")
    result = await call(client, case, case.variables(world, context), world.tokens[case.ok])
    assert "errors" not in result, result
    assert not _payload_errors(result), result
    # Every mutation is audited, exactly once; a query writes nothing.
    written = await scalar(owner_engine, "SELECT count(*) FROM audit_log") - entries
    assert written == (1 if case.document.lstrip().startswith("mutation") else 0)


@pytest.mark.parametrize("field", FIELDS)
async def test_no_token(field: str, client, world, context) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    result = await call(client, case, case.variables(world, context), None)
    assert codes(result) == ["UNAUTHENTICATED"], result
    assert result["data"] is None


# me and roles have no wrong role: every authenticated caller may read them (see their notes).
@pytest.mark.parametrize("field", [f for f in FIELDS if CASES[f].wrong_role])
async def test_wrong_role(field: str, client, world, context) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    assert case.wrong_role is not None
    account, code = case.wrong_role
    result = await call(client, case, case.variables(world, context), world.tokens[account])
    assert codes(result) == [code], result


@pytest.mark.parametrize("field", [f for f in FIELDS if CASES[f].other_school])
async def test_other_school_gets_not_found(field: str, client, world, context) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    result = await call(
        client, case, case.variables(world, context), world.tokens[case.other_school]
    )
    assert codes(result) == ["NOT_FOUND"], result


def _overlay_body() -> dict[str, Any]:
    from partyplan.resolvers.recruits.rules.overlays import EXAMPLE_PRE_REVIEW_1M, Overlay
    from partyplan.resolvers.recruits.rules.serialization import overlay_to_json

    return overlay_to_json(
        Overlay(
            id="matrix",
            title="预审时限",
            document="x",
            province="14",
            rules=(EXAMPLE_PRE_REVIEW_1M,),
        )
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = (
        b"" if key is None else hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    )
    return f"{signing_input}.{_b64(signature)}"


@pytest.fixture
def bad_tokens(platform, world, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    subject = str(world.users["commission_admin"])
    now = int(time.time())
    settings = platform.settings
    claims = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "forged",
    }
    other_keys = KeyStore.load_or_create(tmp_path / "other-keys")
    other = TokenService(
        other_keys,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        leeway_seconds=30,
        max_ttl_seconds=3600,
    )
    public_x = platform.keys.public_jwks()["keys"][0]["x"]
    return {
        "expired": platform.tokens.mint(subject, 60, now=now - 3600),
        "other_key": other.mint(subject, 600),
        "alg_none": _forged(
            {"alg": "none", "typ": "at+jwt", "kid": platform.keys.kid}, claims, None
        ),
        "hs256_public_key": _forged(
            {"alg": "HS256", "typ": "at+jwt", "kid": platform.keys.kid},
            claims,
            base64.urlsafe_b64decode(public_x + "=" * (-len(public_x) % 4)),
        ),
    }


@pytest.mark.parametrize("field", FIELDS)
async def test_bad_tokens_are_unauthenticated(
    field: str, client, world, context, bad_tokens
) -> None:  # type: ignore[no-untyped-def]
    case = CASES[field]
    variables = case.variables(world, context)
    for kind in ("expired", "other_key", "alg_none", "hs256_public_key"):
        result = await call(client, case, variables, bad_tokens[kind])
        assert codes(result) == ["UNAUTHENTICATED"], (kind, result)
