"""Reports for a group: the office authorises a group for its subsidiaries; the group applies once for N of them
and downloads one ZIP of signed PDFs and a signed summary; each report verifies on its own."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pypdfium2
import pytest
from django.utils import timezone

from cleanrecord.accounts.models import EntityUser
from cleanrecord.accounts.tokens import create_token
from cleanrecord.audit.models import AuditEntry
from cleanrecord.audit.services import record_event
from cleanrecord.lib.refusals import Refused
from cleanrecord.reports.groups import authorised, issue_group
from cleanrecord.reports.models import GroupAuthorisation, GroupBatch, Report
from cleanrecord.reports.services import issue_report
from cleanrecord.reports.signing import Status, check_signature
from cleanrecord.testing.actors import make_user
from cleanrecord.verification.files import check_file
from cleanrecord.verification.models import Result

from .factories import entity, penalty


def pdf_text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").replace("\n", "")


@pytest.fixture
def group(db):
    return entity("91620102MA71GRP00", "兰州集团控股有限公司")


@pytest.fixture
def subsidiaries(group):
    made = [entity(f"91620102MA71GB{i:03d}", f"兰州集团第{i}子公司") for i in range(1, 4)]
    penalty(made[0], timezone.localdate() - dt.timedelta(days=30), decision_no="兰市监罚〔2026〕301号")
    today = timezone.localdate()
    for e in made:
        GroupAuthorisation.objects.create(parent=group, subsidiary=e, valid_from=today,
                                          valid_until=today + dt.timedelta(days=365))
    return made


@pytest.fixture
def group_user(group):
    user = make_user("group_rep")
    EntityUser.objects.create(user=user, entity=group, role=EntityUser.Role.LEGAL_REP)
    return user


def read_zip(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.django_db
def test_a_group_without_authorisation_is_refused_everywhere(client, group, group_user):
    with pytest.raises(Refused, match="未获信用办的集团报告授权"):
        issue_group(parent=group, subsidiaries="all", domains="all", purpose="finance", user=group_user)
    client.force_login(group_user)
    page = client.get(f"/my/entities/{group.credit_code}/group/")
    assert "尚未获得信用办的集团报告授权" in page.content.decode()
    posted = client.post(f"/my/entities/{group.credit_code}/group/", {"scope": "all", "purpose": "finance"})
    assert posted.status_code == 400
    assert "未获信用办的集团报告授权" in posted.content.decode()
    api = client.post("/api/v1/reports/groups", {"credit_code": group.credit_code}, content_type="application/json")
    assert api.status_code == 400
    assert "未获信用办的集团报告授权" in api.json()["detail"]
    assert not Report.objects.exists() and not GroupBatch.objects.exists()


@pytest.mark.django_db
def test_a_revoked_or_expired_authorisation_does_not_count(group, subsidiaries, group_user):
    GroupAuthorisation.objects.filter(subsidiary=subsidiaries[0]).update(revoked_at=timezone.now())
    GroupAuthorisation.objects.filter(subsidiary=subsidiaries[1]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(Refused, match=f"不在信用办对本集团的授权范围内：{subsidiaries[0].credit_code}"):
        issue_group(parent=group, subsidiaries=[subsidiaries[0].credit_code, subsidiaries[2].credit_code],
                    domains="all", purpose="finance", user=group_user)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_subsidiary_outside_the_authorisation_refuses_the_whole_batch(client, group, subsidiaries, group_user):
    stranger = entity("91620102MA71XTR00", "兰州无关商贸有限公司")
    client.force_login(group_user)
    # The page offers only the authorised subsidiaries; a forged choice is refused naming it.
    page = client.get(f"/my/entities/{group.credit_code}/group/").content.decode()
    assert all(e.name in page for e in subsidiaries) and stranger.name not in page
    posted = client.post(f"/my/entities/{group.credit_code}/group/", {
        "scope": "all", "purpose": "finance", "subsidiaries": [subsidiaries[0].credit_code, stranger.credit_code]})
    assert posted.status_code == 400
    assert f"“{stranger.credit_code}”不在信用办对本集团的授权范围内" in posted.content.decode()
    api = client.post("/api/v1/reports/groups", {
        "credit_code": group.credit_code, "subsidiaries": [subsidiaries[0].credit_code, stranger.credit_code]},
        content_type="application/json")
    assert api.status_code == 400
    assert api.json()["detail"] == f"以下主体不在信用办对本集团的授权范围内：{stranger.credit_code}。整批未出具。"
    assert not Report.objects.exists() and not GroupBatch.objects.exists()


@pytest.mark.django_db
def test_a_subsidiary_that_cannot_be_issued_refuses_the_batch_naming_it(group, subsidiaries, group_user, settings):
    store = Path(settings.CLEANRECORD["REPORT_DIR"])
    before = set(store.rglob("*.pdf"))  # the session's report store holds other tests' files
    subsidiaries[1].status = "cancelled"
    subsidiaries[1].save()
    with pytest.raises(Refused) as refused:
        issue_group(parent=group, subsidiaries="all", domains="all", purpose="finance", user=group_user)
    assert str(refused.value).startswith("以下子公司不能出具报告，整批未出具：兰州集团第2子公司（")
    assert "注销" in str(refused.value)
    assert not Report.objects.exists()
    assert set(store.rglob("*.pdf")) == before


@pytest.mark.django_db
def test_only_the_groups_own_users_may_apply(client, group, subsidiaries):
    subsidiary_user = make_user("sub_rep")
    EntityUser.objects.create(user=subsidiary_user, entity=subsidiaries[0], role=EntityUser.Role.LEGAL_REP)
    client.force_login(subsidiary_user)
    assert client.get(f"/my/entities/{group.credit_code}/group/").status_code == 404
    assert client.post("/api/v1/reports/groups", {"credit_code": group.credit_code},
                       content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_too_many_subsidiaries_in_one_batch_are_refused(group, subsidiaries, group_user, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "GROUP_REPORT_MAX_SUBSIDIARIES": 2}
    with pytest.raises(Refused, match="一批最多 2 家子公司（所选 3 家），请分批申请"):
        issue_group(parent=group, subsidiaries="all", domains="all", purpose="finance", user=group_user)


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_zip_holds_each_signed_report_and_a_signed_summary_and_each_verifies_on_its_own(
        client, group, subsidiaries, group_user):
    client.force_login(group_user)
    assert "为子公司申请报告（集团）" in client.get("/my/").content.decode()
    response = client.post(f"/my/entities/{group.credit_code}/group/", {
        "scope": "all", "purpose": "finance", "purpose_text": "集团授信", "start": "", "end": "",
        "subsidiaries": [e.credit_code for e in subsidiaries]})
    assert response.status_code == 302
    batch = GroupBatch.objects.get()
    reports = list(batch.reports.order_by("entity_id"))
    assert [r.entity_id for r in reports] == sorted(e.credit_code for e in subsidiaries)
    assert len({r.number for r in reports}) == 3 and len({r.verification_code for r in reports}) == 3
    page = client.get(response["Location"]).content.decode()
    assert all(r.number in page and r.snapshot["verification_code_display"] in page for r in reports)

    files = read_zip(client.get(f"/my/group-batches/{batch.token}/zip"))
    assert sorted(files) == sorted([f"{batch.number}-summary.pdf"] + [f"{r.entity_id}-{r.number}.pdf" for r in reports])
    for r in reports:
        pdf = files[f"{r.entity_id}-{r.number}.pdf"]
        verdict = check_file(pdf, client="test")  # as the verification page checks an uploaded file
        assert verdict.result == Result.AUTHENTIC and verdict.report == r
        assert r.entity.name in pdf_text(pdf)
        # And by its code, on the public verification page.
        assert r.number in client.get(f"/verify/{r.verification_code}").content.decode()

    summary = files[f"{batch.number}-summary.pdf"]
    check = check_signature(summary)
    assert check.status == Status.VALID and check.whole_file
    text = pdf_text(summary)
    assert "集团专用信用报告汇总清单" in text and batch.number in text and group.name in text
    for r in reports:
        assert r.entity.name in text and r.entity_id in text and r.number in text, text
        assert r.snapshot["verification_code_display"] in text
    audit = AuditEntry.objects.get(action="reports.group_issue")
    assert audit.target == f"group_batch:{batch.number}"
    issued = AuditEntry.objects.filter(action="reports.issue")
    assert sorted(e.target for e in issued) == sorted(f"report:{r.number}" for r in reports)
    assert all(e.after["group_batch"] == batch.number for e in issued)

    # Another entity's user, or none, learns nothing of the batch.
    other = make_user("other_rep")
    client.force_login(other)
    assert client.get(f"/my/group-batches/{batch.token}/").status_code == 404
    assert client.get(f"/my/group-batches/{batch.token}/zip").status_code == 404


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_hourly_limit_counts_the_batch_once(group, subsidiaries, group_user, settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_ISSUE_PER_ENTITY_PER_HOUR": 2}
    issue_group(parent=group, subsidiaries="all", domains=["taxation"], purpose="other", user=group_user)
    assert Report.objects.count() == 3
    # The batch of three counted once for the group: one report of its own still fits, then no more.
    issue_report(credit_code=group.credit_code, domains=["taxation"], purpose="other")
    with pytest.raises(Refused, match="一小时内已申请 2 份报告"):
        issue_group(parent=group, subsidiaries="all", domains=["taxation"], purpose="other", user=group_user)
    with pytest.raises(Refused, match="一小时内已申请 2 份报告"):
        issue_report(credit_code=group.credit_code, domains=["taxation"], purpose="other")
    # The subsidiaries' reports from the batch count in none of their own limits.
    issue_report(credit_code=subsidiaries[0].credit_code, domains=["taxation"], purpose="other")
    issue_report(credit_code=subsidiaries[0].credit_code, domains=["taxation"], purpose="other")


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_api_issues_a_batch_and_serves_its_zip_to_the_groups_tokens(client, group, subsidiaries, group_user,
                                                                         settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_ISSUE_PER_ENTITY_PER_HOUR": 2}
    _, token = create_token(owner=group_user, name="集团财务系统", scopes=["reports:read", "reports:write"])
    _, reader = create_token(owner=group_user, name="只读", scopes=["reports:read"])
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/reports/groups", {"credit_code": group.credit_code},
                       content_type="application/json", headers={"Authorization": f"Bearer {reader}"}
                       ).status_code == 403
    response = client.post("/api/v1/reports/groups", {
        "credit_code": group.credit_code, "subsidiaries": [subsidiaries[0].credit_code, subsidiaries[2].credit_code],
        "domains": ["market-regulation", "taxation"], "purpose": "business"},
        content_type="application/json", headers=auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(r["entity"] for r in body["reports"]) == sorted([subsidiaries[0].credit_code,
                                                                    subsidiaries[2].credit_code])
    files = read_zip(client.get(body["zip_url"], headers={"Authorization": f"Bearer {reader}"}))
    assert len(files) == 3
    for r in body["reports"]:
        pdf = files[f"{r['entity']}-{r['number']}.pdf"]
        assert check_file(pdf, client="test").result == Result.AUTHENTIC
        # Each report also stands alone through the API.
        assert client.get(r["pdf_url"], headers=auth).status_code == 200
        assert client.get(f"/api/v1/verify/{r['verification_code']}").json()["number"] == r["number"]
    assert check_signature(files[f"{body['number']}-summary.pdf"]).status == Status.VALID
    assert Report.objects.filter(channel="api", group_batch__number=body["number"]).count() == 2
    # The batch of two counted once: one report of the group's own fits in the limit of 2, then no more batch.
    assert client.post("/api/v1/reports", {"credit_code": group.credit_code, "domains": ["taxation"]},
                       content_type="application/json", headers=auth).status_code == 201
    again = client.post("/api/v1/reports/groups", {"credit_code": group.credit_code}, content_type="application/json",
                        headers=auth)
    assert again.status_code == 400 and again.json()["detail"] == "该主体一小时内已申请 2 份报告，请稍后再试"
    # Another entity's user cannot fetch it.
    other = make_user("other_rep")
    _, theirs = create_token(owner=other, name="他人", scopes=["reports:read"])
    assert client.get(body["zip_url"], headers={"Authorization": f"Bearer {theirs}"}).status_code == 404


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_failure_part_way_leaves_no_report_and_no_file_of_the_batch(group, subsidiaries, group_user, settings,
                                                                      tmp_path, monkeypatch):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "REPORT_DIR": str(tmp_path)}

    def disk_full(**kwargs):  # the last step: every report and the summary are written by then
        raise OSError("磁盘已满")

    monkeypatch.setattr("cleanrecord.reports.groups.record_event", disk_full)
    with pytest.raises(OSError):
        issue_group(parent=group, subsidiaries="all", domains=["taxation"], purpose="other", user=group_user)
    assert not Report.objects.exists() and not GroupBatch.objects.exists()
    assert list(tmp_path.rglob("*.pdf")) == []


@pytest.mark.django_db
def test_the_office_authorises_and_revokes_in_its_console_audited(client, group, subsidiaries):
    office = make_user("office_group", "reports.add_groupauthorisation", "reports.change_groupauthorisation",
                       "reports.view_groupauthorisation", is_staff=True)
    extra = entity("91620102MA71GB009", "兰州集团第九子公司")
    client.force_login(office)
    today = timezone.localdate()
    added = client.post("/admin/reports/groupauthorisation/add/", {
        "parent": group.credit_code, "subsidiary": extra.credit_code, "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=90)).isoformat(), "basis": "集团授权书 2026-01"})
    assert added.status_code == 302, added.content.decode()
    made = GroupAuthorisation.objects.get(subsidiary=extra)
    assert made.created_by == office
    assert AuditEntry.objects.filter(action="reports.groupauthorisation_add", target=f"groupauthorisation:{made.pk}"
                                     ).exists()
    # A group cannot be its own subsidiary.
    itself = client.post("/admin/reports/groupauthorisation/add/", {
        "parent": group.credit_code, "subsidiary": group.credit_code, "valid_from": today.isoformat(),
        "valid_until": today.isoformat()})
    assert "子公司不能是集团本身" in itself.content.decode()
    revoked = client.post("/admin/reports/groupauthorisation/", {
        "action": "revoke", "_selected_action": [made.pk]})
    assert revoked.status_code == 302
    made.refresh_from_db()
    assert made.revoked_at is not None
    assert AuditEntry.objects.filter(action="reports.groupauthorisation_revoke").count() == 1
    assert extra not in authorised(group)


@pytest.mark.django_db
def test_the_audit_page_names_the_group_actions(client, group):
    auditor = make_user("auditor_group", "audit.view_auditentry")
    record_event(user=None, action="reports.group_issue", target="group_batch:LZXY-JT-20261207-ABCDEF",
                 after={"group": group.credit_code, "reports": {"91620102MA71GB001M": "LZXY-20261207-000001"}})
    record_event(user=None, action="reports.groupauthorisation_revoke", target="groupauthorisation:1",
                 after={"parent": group.credit_code, "subsidiary": "91620102MA71GB001M"})
    client.force_login(auditor)
    html = client.get("/audit/").content.decode()
    assert "出具集团报告" in html and "撤销集团报告授权" in html
    assert f"集团：{group.credit_code}" in html and "子公司：91620102MA71GB001M" in html
