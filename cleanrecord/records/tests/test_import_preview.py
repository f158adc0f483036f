"""The upload preview (nothing written before 确认导入), import profiles on the page and in the API."""

import datetime as dt
import os
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.audit.models import AuditEntry
from cleanrecord.records.models import ImportBatch, ImportProfile, Listing, Penalty
from cleanrecord.records.services import sweep_imports, temp_dir

from .uploads import credit_code, penalty_csv

pytestmark = pytest.mark.django_db

TAX_NAME = "国家税务总局兰州市税务局"
SPEC = {
    "rename": {"失信事由": "列入原因"},
    "constants": {"列入日期": "2024-01-01", "认定依据": "《重大税收违法失信主体信息公布管理办法》"},
    "translate": {"主体类别": {"0": "法人及非法人组织", "1": "自然人", "2": "个体工商户"}},
    "ignore": ["内部编号"],
}
HEADER = ["序号", "当事人", "主体类别", "统一信用代码", "名单类别", "失信事由", "认定部门", "认定部门统一社会信用代码", "内部编号",
          "公示网站"]


def list_csv(tax, n: int = 3, encoding: str = "gb18030", bad_row: int | None = None) -> bytes:
    """A published list in GBK under a title row: no 列入日期, 主体类别 as 0/1/2."""
    lines = ["2024年重大税收违法失信主体名单（第一批）", ",".join(HEADER)]
    for i in range(1, n + 1):
        code = "91620100MA****7Q3X" if i == bad_row else credit_code(f"91620100MA76{i:05d}")
        lines.append(",".join([str(i), f"兰州公示示例有限公司{i}", "0", code, "重大税收违法失信主体", "虚开增值税专用发票",
                               TAX_NAME, tax.credit_code, f"NB-{i}", "信用中国"]))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def preview(client, content: bytes, **fields):
    data = {"kind": "listing", "file": SimpleUploadedFile("名单.csv", content), **fields}
    return client.post("/imports/", data)


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def staged_files() -> list[str]:
    return sorted(p.name for p in temp_dir("imports").iterdir() if p.name.startswith("preview-"))


@pytest.fixture(autouse=True)
def _no_staged_files():
    """Staged uploads of earlier tests (the temporary folder lives as long as the session) are not this test's."""
    for name in staged_files():
        (temp_dir("imports") / name).unlink()


@pytest.fixture
def profile(tax):
    return ImportProfile.objects.create(department=tax, kind="listing", name="国家名单", spec=SPEC)


def test_the_preview_shows_encoding_header_binding_and_rows_as_stored_and_writes_nothing(client, carol, tax, profile):
    client.force_login(carol)
    response = preview(client, list_csv(tax), profile="国家名单")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="preview-encoding">GB18030（GBK）<' in page
    assert 'id="preview-header-row">第 2 行<' in page
    columns = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
                         page.split('id="preview-columns"')[1].split("</table>")[0])
    assert columns == [
        ("序号", "未使用", "导出序号，不导入"), ("当事人", "主体名称", ""), ("主体类别", "主体类别", "取值由方案转换"),
        ("统一信用代码", "统一社会信用代码", ""), ("名单类别", "名单类别", ""), ("失信事由", "列入原因", "方案改名"),
        ("认定部门", "认定部门", ""), ("认定部门统一社会信用代码", "认定部门统一社会信用代码", ""),
        ("内部编号", "未使用", "方案忽略"), ("公示网站", "未使用", ""),
        ("（方案固定值）列入日期", "列入日期", "=2024-01-01"),
        ("（方案固定值）认定依据", "认定依据", "=《重大税收违法失信主体信息公布管理办法》"),
    ]
    assert "没有被读取的列（其内容作为附加信息保存，不进入标准字段）：公示网站" in page
    rows = page.split('id="preview-rows"')[1].split("</table>")[0]
    assert rows.count("兰州公示示例有限公司") == 3
    assert "2024-01-01" in rows and "法人及非法人组织" in rows and credit_code("91620100MA7600001") in rows
    assert (ImportBatch.objects.count(), Listing.objects.count()) == (0, 0)
    assert len(staged_files()) == 2  # the file and what its token stands for

    response = client.post("/imports/confirm", {"token": token_of(response)})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    assert Listing.objects.count() == 3
    assert set(Listing.objects.values_list("listed_on", flat=True)) == {dt.date(2024, 1, 1)}
    detail = client.get(response["Location"]).content.decode()
    assert "国家名单" in detail
    assert "由方案填入：列入日期=2024-01-01（3 行）" in detail and "主体类别：0→法人及非法人组织（3 行）" in detail
    assert staged_files() == []
    event = AuditEntry.objects.get(action="records.import")
    assert event.after["profile"] == "国家名单" and event.after["profile_spec"] == SPEC


def test_the_preview_lists_row_errors_among_the_first_rows(client, carol, tax, profile):
    client.force_login(carol)
    page = preview(client, list_csv(tax, n=25, encoding="utf-8", bad_row=2), profile="国家名单").content.decode()
    assert 'id="preview-encoding">UTF-8<' in page
    rows = page.split('id="preview-rows"')[1].split("</table>")[0]
    assert rows.count("<tr") == 1 + 20  # the head and the first 20 rows only
    assert "拒收：" in rows and "91620100MA****7Q3X" in rows
    assert "仅显示前 20 行" in page


def test_only_the_user_who_sent_a_file_can_import_or_cancel_it(client, carol, bob, alice, tax, profile):
    client.force_login(carol)
    token = token_of(preview(client, list_csv(tax), profile="国家名单"))
    for other in (bob, alice):
        client.force_login(other)
        assert client.post("/imports/confirm", {"token": token}).status_code == 404
        assert client.post("/imports/confirm", {"token": token, "action": "cancel"}).status_code == 404
    assert client.post("/imports/confirm", {"token": "../" + token}).status_code == 404
    assert (ImportBatch.objects.count(), len(staged_files())) == (0, 2)
    client.force_login(carol)
    assert client.post("/imports/confirm", {"token": token, "action": "cancel"}).status_code == 302
    assert (ImportBatch.objects.count(), staged_files()) == (0, [])
    assert client.post("/imports/confirm", {"token": token}).status_code == 404


def test_a_staged_upload_left_unconfirmed_is_swept_after_an_hour(client, carol, tax):
    client.force_login(carol)
    preview(client, list_csv(tax))
    assert len(staged_files()) == 2
    sweep_imports()
    assert len(staged_files()) == 2  # a clerk may still be reading the preview
    old = time.time() - 3700
    for name in staged_files():
        os.utime(temp_dir("imports") / name, (old, old))
    sweep_imports()
    assert staged_files() == []


def test_a_clerk_cannot_choose_another_departments_profile(client, bob, amr, profile):
    client.force_login(bob)
    page = client.get("/imports/").content.decode()
    assert "国家名单" not in page
    response = client.post("/imports/", {"kind": "listing", "profile": "国家名单",
                                         "file": SimpleUploadedFile("p.csv", penalty_csv(amr, {}))})
    assert "兰州市市场监督管理局没有名为“国家名单”的导入方案" in response.content.decode()
    assert staged_files() == []


def test_the_preview_reads_only_the_head_of_a_large_file(client, bob, amr):
    client.force_login(bob)
    rows = penalty_csv(amr, *[{"no": f"兰市监罚〔2025〕{i}号"} for i in range(1, 40_001)])
    assert len(rows) > 8_000_000
    started = time.monotonic()
    response = client.post("/imports/", {"kind": "penalty", "file": SimpleUploadedFile("big.csv", rows)})
    assert time.monotonic() - started < 5
    assert response.status_code == 200 and "仅显示前 20 行" in response.content.decode()
    assert Penalty.objects.count() == 0


# -- the profile pages ----------------------------------------------------------------------------------

def test_a_clerk_creates_and_edits_a_profile_with_clear_errors_and_every_change_audited(client, carol, tax):
    client.force_login(carol)
    assert client.get("/imports/profiles/").status_code == 200
    form = {"department": "tax", "kind": "listing", "name": "国家名单"}
    bad_json = client.post("/imports/profiles/new", {**form, "spec": '{\n  "constants": {"列入日期"：“2024-01-01”}\n}'})
    assert bad_json.status_code == 400
    assert "不是有效的 JSON：第 2 行第 23 列附近有误" in bad_json.content.decode()
    unknown = client.post("/imports/profiles/new", {**form, "spec": '{"rename": {"统一信用码": "统一社会信用码"}}'})
    assert unknown.status_code == 400
    assert "“统一信用码”对应的“统一社会信用码”不是严重失信主体名单的标准列名或列代码" in unknown.content.decode()
    other = client.post("/imports/profiles/new", {**form, "department": "amr", "spec": "{}"})
    assert other.status_code == 400 and "只能为本部门保存导入方案" in other.content.decode()
    assert not ImportProfile.objects.exists() and not AuditEntry.objects.filter(action__startswith="records.profile").exists()

    import json

    response = client.post("/imports/profiles/new", {**form, "spec": json.dumps(SPEC, ensure_ascii=False)})
    assert response.status_code == 302
    profile = ImportProfile.objects.get()
    assert (profile.department, profile.spec, profile.updated_by) == (tax, SPEC, carol)
    response = client.post(f"/imports/profiles/{profile.pk}/", {**form, "spec": '{"ignore": ["内部编号"]}'})
    assert response.status_code == 302
    events = list(AuditEntry.objects.filter(action__startswith="records.profile").order_by("id"))
    assert [e.action for e in events] == ["records.profile_create", "records.profile_update"]
    assert events[1].before["spec"] == SPEC and events[1].after["spec"] == {"ignore": ["内部编号"]}
    assert "国家名单" in client.get("/imports/profiles/").content.decode()


def test_a_clerk_sees_and_edits_only_their_own_departments_profiles(client, bob, profile):
    client.force_login(bob)
    assert "国家名单" not in client.get("/imports/profiles/").content.decode()
    assert client.get(f"/imports/profiles/{profile.pk}/").status_code == 404
    response = client.post(f"/imports/profiles/{profile.pk}/", {"department": "amr", "kind": "listing",
                                                                 "name": "x", "spec": "{}"})
    assert response.status_code == 404
    profile.refresh_from_db()
    assert profile.spec == SPEC


def test_the_office_edits_profiles_in_the_admin_audited(client, tax, profile):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password="pw-root-1")
    client.force_login(admin)
    url = f"/admin/records/importprofile/{profile.pk}/change/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"department": tax.pk, "kind": "listing", "name": "国家名单",
                                "spec": '{"constants": {"列入时刻": "2024-01-01"}}'})
    assert refused.status_code == 200 and "不是严重失信主体名单的标准列名" in refused.content.decode()
    response = client.post(url, {"department": tax.pk, "kind": "listing", "name": "国家名单", "spec": '{"ignore": ["x"]}'})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.spec == {"ignore": ["x"]}
    assert AuditEntry.objects.get(action="records.profile_update").before["spec"] == SPEC


# -- the API --------------------------------------------------------------------------------------------

def test_the_api_takes_a_profile_by_name(client, carol, tax, profile):
    client.force_login(carol)
    response = client.post("/api/v1/imports", {"kind": "listing", "profile": "国家名单",
                                               "file": SimpleUploadedFile("l.csv", list_csv(tax))})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows_created"], body["profile"]) == (3, "国家名单")
    assert body["profile_note"].startswith("由方案填入：列入日期=2024-01-01（3 行）")
    refused = client.post("/api/v1/imports", {"kind": "penalty", "profile": "国家名单",
                                              "file": SimpleUploadedFile("l.csv", list_csv(tax))})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "导入方案“国家名单”用于严重失信主体名单，不能用于行政处罚"
    assert ImportBatch.objects.count() == 1
