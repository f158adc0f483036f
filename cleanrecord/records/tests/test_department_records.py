import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cleanrecord.records.models import Penalty, RecordVersion
from cleanrecord.records.services import import_upload

from .uploads import COMPANY, credit_code, penalty_csv


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).strip()


def current_values(response) -> dict[str, str]:
    """The record page's 当前内容, label to value, as the clerk reads it."""
    page = response.content.decode()
    block = re.search(r'<dl class="facts" id="current-values">(.*?)</dl>', page, re.S)
    assert block, "the page shows no current values"
    return {_text(k): _text(v) for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block[1], re.S)}


def field_errors(response) -> dict[str, str]:
    """Each form field's errors, by the field's id, as printed next to it."""
    return {m[1]: _text(m[2]) for m in re.finditer(r'<span class="field-error" id="([^"]+)_error">(.*?)</span>',
                                                    response.content.decode(), re.S)}


def version_row(response, version: int) -> str:
    """One row of the version history, as HTML."""
    page = response.content.decode()
    row = re.search(rf'<tr id="version-{version}">(.*?)(?=<tr id="version-|</tbody>\s*</table>\s*</section>)', page, re.S)
    assert row, f"no version {version} in the history"
    return row[1]


def changes_of(response, version: int) -> list[tuple[str, str, str]]:
    """The (field, before, after) rows a version lists."""
    return [(_text(f), _text(b), _text(a)) for f, b, a in
            re.findall(r'<th scope="row">(.*?)</th><td class="before">(.*?)</td><td class="after">(.*?)</td>',
                       version_row(response, version))]


@pytest.fixture
def amr_penalty(amr, bob):
    import_upload(user=bob, upload=SimpleUploadedFile("p.csv", penalty_csv(amr, {})), kind="penalty", department=amr,
                  mapping=None, dry_run=False, channel="web")
    return Penalty.objects.get()


@pytest.mark.django_db
def test_a_clerk_finds_own_department_records_by_code_name_or_number(client, bob, amr_penalty):
    client.force_login(bob)
    for q in (COMPANY, "测试商贸", "兰市监罚〔2025〕1号"):
        assert "兰州测试商贸有限公司" in client.get("/department/records/", {"q": q}).content.decode(), q


@pytest.mark.django_db
def test_another_department_neither_lists_nor_opens_the_record(client, carol, amr_penalty):
    client.force_login(carol)
    assert "兰州测试商贸有限公司" not in client.get("/department/records/", {"q": COMPANY}).content.decode()
    assert client.get(f"/department/records/penalty/{amr_penalty.pk}/").status_code == 404
    response = client.post(f"/department/records/penalty/{amr_penalty.pk}/", {"action": "revoke", "reason": "x"})
    assert response.status_code == 404
    assert Penalty.objects.get().status == "active"


@pytest.mark.django_db
def test_users_without_a_department_are_refused(client, dave, amr_penalty):
    client.force_login(dave)
    assert client.get("/department/records/").status_code == 403
    client.logout()
    assert client.get("/department/records/").status_code == 302


@pytest.mark.django_db
def test_the_clerk_revokes_and_marks_repaired_and_sees_the_versions(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    assert client.post(url, {"action": "repair", "decision": "兰信修〔2025〕9号", "repaired_on": "2025-09-01"}).status_code == 302
    assert client.post(url, {"action": "revoke", "reason": "行政复议撤销"}).status_code == 302
    values = current_values(client.get(url))
    assert (values["状态"], values["撤销原因"], values["信用修复决定"]) == ("已撤销", "行政复议撤销", "兰信修〔2025〕9号")
    assert [v.change for v in RecordVersion.objects.order_by("version")] == ["created", "repaired", "revoked"]


@pytest.mark.django_db
def test_a_repair_form_with_errors_shows_each_next_to_its_field_and_keeps_the_input(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    refused = client.post(url, {"action": "repair", "decision": "", "repaired_on": "2025-99-01"})
    assert refused.status_code == 400
    errors = field_errors(refused)
    assert "必须填写修复决定文书号" in errors["repair-decision"] and "日期格式应为" in errors["repair-repaired_on"]
    assert 'value="2025-99-01"' in refused.content.decode()
    assert Penalty.objects.get().version == 1


@pytest.mark.django_db
def test_the_clerk_corrects_a_field_and_wrong_values_are_refused(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    ok = client.post(url, {"action": "correct", "field": "fine_wan", "value": "0.3", "reason": "异议更正"})
    assert ok.status_code == 302
    record = Penalty.objects.get()
    assert str(record.fine_wan.normalize()) == "0.3" and record.version == 2
    for field, value, message in (("fine_wan", "abc", "金额应为数字"), ("decided_on", "2025/13/01", "日期格式应为"),
                                  ("subject_key", "X", "不能更正"), ("content", "", "不能为空")):
        response = client.post(url, {"action": "correct", "field": field, "value": value, "reason": "r"})
        assert response.status_code == 400 and message in response.content.decode(), field
    assert Penalty.objects.get().version == 2


@pytest.mark.django_db
def test_the_record_page_shows_the_current_values_before_any_form(client, bob, amr_penalty):
    client.force_login(bob)
    response = client.get(f"/department/records/penalty/{amr_penalty.pk}/")
    values = current_values(response)
    assert values["行政处罚决定书文号"] == "兰市监罚〔2025〕1号"
    assert values["行政相对人名称"] == "兰州测试商贸有限公司" and values["统一社会信用代码"] == COMPANY
    assert values["处罚内容"] == "罚款五千元" and values["违法事实"] == "当事人发布虚假广告"
    assert values["处罚决定日期"] == "2025-03-01"
    assert values["罚款金额"] == "5,000.00 元"  # kept as 0.500000 万元
    assert values["状态"] == "有效" and values["报送部门"] == "兰州市市场监督管理局"
    page = response.content.decode()
    assert page.index('id="current-values"') < page.index("<form method=\"post\"")
    assert "0.500000" not in page and "+08:00" not in page


@pytest.mark.django_db
def test_after_a_correction_the_history_shows_each_fields_before_and_after(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    assert client.post(url, {"action": "correct", "field": "fine_wan", "value": "8700元", "reason": "金额录入有误"}
                       ).status_code == 302
    assert client.post(url, {"action": "correct", "field": "content", "value": "罚款八千七百元", "reason": "同上"}
                       ).status_code == 302
    response = client.get(url)
    assert changes_of(response, 2) == [("罚款金额", "5,000.00 元", "8,700.00 元")]
    assert changes_of(response, 3) == [("处罚内容", "罚款五千元", "罚款八千七百元")]
    assert current_values(response)["罚款金额"] == "8,700.00 元"
    row = _text(version_row(response, 2))
    when = timezone.localtime(RecordVersion.objects.get(version=2).created_at).strftime("%Y-%m-%d %H:%M")
    assert "更正" in row and "bob" in row and "金额录入有误" in row and when in row
    assert changes_of(response, 1) == [] and "首次报送" in _text(version_row(response, 1))


@pytest.mark.django_db
def test_a_revoked_record_offers_no_form_and_refuses_every_change(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    assert client.post(url, {"action": "revoke", "reason": "行政复议撤销"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'name="action"' not in page and "该记录已撤销，不再计入报告" in page
    before = list(Penalty.objects.values_list()), RecordVersion.objects.count()
    for data in ({"action": "correct", "field": "fine_wan", "value": "0.3", "reason": "更正"},
                 {"action": "revoke", "reason": "再撤销"},
                 {"action": "repair", "decision": "兰信修〔2025〕9号", "repaired_on": "2025-09-01"}):
        refused = client.post(url, data)
        assert refused.status_code == 400, data["action"]
        assert "该记录已撤销，不能再撤销、更正或标记信用修复" in refused.content.decode()
        assert 'name="action"' not in refused.content.decode()
    assert (list(Penalty.objects.values_list()), RecordVersion.objects.count()) == before


@pytest.mark.django_db
def test_a_repaired_record_offers_correction_and_revocation_but_no_second_repair(client, bob, amr_penalty):
    client.force_login(bob)
    url = f"/department/records/penalty/{amr_penalty.pk}/"
    assert client.post(url, {"action": "repair", "decision": "兰信修〔2025〕9号", "repaired_on": "2025-09-01"}
                       ).status_code == 302
    page = client.get(url).content.decode()
    assert 'value="correct"' in page and 'value="revoke"' in page and 'value="repair"' not in page
    refused = client.post(url, {"action": "repair", "decision": "兰信修〔2025〕10号", "repaired_on": "2025-09-02"})
    assert refused.status_code == 400 and "该记录已于 2025-09-01 标记信用修复，不能重复标记" in refused.content.decode()
    assert Penalty.objects.get().repair_decision == "兰信修〔2025〕9号"


@pytest.mark.django_db
def test_a_correction_form_shows_all_its_errors_at_once_and_keeps_the_input(client, bob, amr_penalty):
    client.force_login(bob)
    response = client.post(f"/department/records/penalty/{amr_penalty.pk}/",
                           {"action": "correct", "field": "decided_on", "value": "2025/13/01", "reason": ""})
    assert response.status_code == 400
    errors = field_errors(response)
    assert "日期格式应为" in errors["correct-value"] and "更正记录必须填写原因" in errors["correct-reason"]
    page = response.content.decode()
    assert 'value="2025/13/01"' in page and '<option value="decided_on" selected>' in page
    assert Penalty.objects.get().version == 1


@pytest.mark.django_db
def test_a_clerk_finds_records_by_part_of_the_number_name_or_code(client, bob, amr_penalty):
    client.force_login(bob)
    for q in ("〔2025〕1", "监罚", "测试商", COMPANY[:10], COMPANY[4:12].lower()):
        assert "兰州测试商贸有限公司" in client.get("/department/records/", {"q": q}).content.decode(), q
    assert "兰州测试商贸有限公司" not in client.get("/department/records/", {"q": "〔2024〕"}).content.decode()


@pytest.mark.django_db
def test_a_partial_search_never_shows_another_departments_record(client, carol, tax, amr_penalty):
    other = credit_code("91620102MA71TAXE0")
    import_upload(user=carol, upload=SimpleUploadedFile("t.csv", penalty_csv(tax, {
        "name": "兰州测试税务有限公司", "no": "兰税罚〔2025〕1号", "code": other})), kind="penalty", department=tax,
                  mapping=None, dry_run=False, channel="web")
    client.force_login(carol)
    for q in ("〔2025〕", "兰州测试", "9162010", "罚"):
        page = client.get("/department/records/", {"q": q}).content.decode()
        assert "兰州测试税务有限公司" in page and "兰州测试商贸有限公司" not in page, q


@pytest.mark.django_db
def test_a_record_updated_by_a_later_file_shows_only_what_the_file_changed(client, bob, amr, amr_penalty):
    import_upload(user=bob, upload=SimpleUploadedFile("p2.csv", penalty_csv(amr, {"cat": "警告"})), kind="penalty",
                  department=amr, mapping=None, dry_run=False, channel="web")
    client.force_login(bob)
    response = client.get(f"/department/records/penalty/{amr_penalty.pk}/")
    assert changes_of(response, 2) == [("处罚类别", "罚款", "警告")]  # amounts, dates and flags read back alike
    assert "更新" in _text(version_row(response, 2)) and "导入批次 #" in _text(version_row(response, 2))
