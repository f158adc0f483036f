"""行政强制 and 刑事 records through the web upload (with a profile and its preview), the API, the records API
and the department portal (list, search, record page, correction, revocation)."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cleanrecord.accounts.models import DepartmentClerk
from cleanrecord.lib.identifiers import mask_id_number
from cleanrecord.records.models import Compulsion, ImportBatch, ImportProfile, Judgment, RecordVersion
from cleanrecord.records.tests.helpers import PERSON_ID
from cleanrecord.reference.models import Department

from .uploads import credit_code, token_of

pytestmark = pytest.mark.django_db

COURT = "兰州市中级人民法院"
COURT_CODE = "12620100MB0000001N"
FIRM = credit_code("91620100MA77QA001")
DEFENDANT = credit_code("91620100MA77XJ001")
ACQUITTED = credit_code("91620100MA77XJ002")


def compulsion_csv(amr: Department) -> bytes:
    """A bureau's own export: 措施种类 for 强制类别, 状态 as 0/1, no 强制类型 column."""
    lines = ["当事人,统一社会信用代码,决定书文号,措施种类,强制事由,法律依据,决定日期,解除日期,实施机关,实施机关统一社会信用代码,状态",
             f"兰州门户强制示例有限公司,{FIRM},兰市监强〔2025〕7号,查封,涉嫌无证经营,《无证无照经营查处办法》第十一条,2025-05-01,,"
             f"{amr.name},{amr.credit_code},0",
             f"兰州门户强制示例有限公司,{FIRM},兰市监强〔2025〕8号,扣押,涉嫌销售假冒商品,《中华人民共和国商标法》第六十二条,"
             f"2025-05-02,2025-06-02,{amr.name},{amr.credit_code},1"]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def judgment_csv() -> bytes:
    lines = ["被告单位,统一社会信用代码,案号,审判法院,审理法院统一社会信用代码,罪名,判决结果,判决日期,生效日期,罚金",
             f"兰州门户刑事示例有限公司,{DEFENDANT},（2025）甘01刑初501号,{COURT},{COURT_CODE},污染环境罪,"
             "被告单位犯污染环境罪，判处罚金人民币三十万元,2025-02-01,2025-02-16,30万元",
             f"兰州门户无罪示例有限公司,{ACQUITTED},（2025）甘01刑初502号,{COURT},{COURT_CODE},虚开发票罪,宣告被告单位无罪,"
             "2025-03-01,2025-03-16,"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def court_clerk(db):
    user = User.objects.create_user("erin", password="pw-erin-1")
    DepartmentClerk.objects.create(user=user, department=Department.objects.get(code="court-intermediate"))
    return user


@pytest.fixture
def judgments(client, court_clerk):
    client.force_login(court_clerk)
    response = client.post("/api/v1/imports", {"kind": "judgment", "file": SimpleUploadedFile("刑事.csv", judgment_csv())})
    assert response.status_code == 200, response.content
    client.logout()
    return response.json()


def test_the_upload_page_offers_both_kinds_and_imports_compulsions_with_a_profile_after_a_preview(client, bob, amr):
    ImportProfile.objects.create(department=amr, kind="compulsion", name="强制导出", spec={
        "rename": {"措施种类": "强制类别"}, "constants": {"强制类型": "行政强制措施"},
        "translate": {"状态": {"0": "实施中", "1": "已解除"}}})
    client.force_login(bob)
    page = client.get("/imports/").content.decode()
    assert '<option value="compulsion">行政强制</option>' in page and '<option value="judgment">刑事判决</option>' in page

    preview = client.post("/imports/", {"kind": "compulsion", "profile": "强制导出",
                                         "file": SimpleUploadedFile("强制.csv", compulsion_csv(amr))})
    assert preview.status_code == 200
    rows = preview.content.decode().split('id="preview-rows"')[1].split("</table>")[0]
    assert "查封场所设施或者财物" in rows and "扣押财物" in rows and "已解除" in rows
    assert Compulsion.objects.count() == 0
    done = client.post("/imports/confirm", {"token": token_of(preview)})

    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and (batch.kind, batch.rows_created, batch.rows_rejected) == ("compulsion", 2, 0)
    lifted = Compulsion.objects.get(decision_no="兰市监强〔2025〕8号")
    assert (lifted.compulsion_type, lifted.category, lifted.current_state) == ("measure", "扣押财物", "已解除")
    assert "由方案填入：强制类型=行政强制措施（2 行）" in client.get(done["Location"]).content.decode()


def test_a_court_imports_judgments_through_the_api_and_the_records_api_lists_them(client, judgments, alice):
    assert (judgments["kind"], judgments["rows_created"], judgments["rows_rejected"]) == ("judgment", 2, 0)
    client.force_login(alice)
    records = client.get(f"/api/v1/entities/{DEFENDANT}/records").json()["records"]
    assert set(records) == {"penalty", "licence", "listing", "compulsion", "judgment"}
    (one,) = records["judgment"]
    assert (one["case_no"], one["verdict"], one["fine_wan"], one["domain"]) == ("（2025）甘01刑初501号", "guilty", "30.000000",
                                                                                None)
    assert client.get(f"/api/v1/entities/{ACQUITTED}/records", {"kind": "judgment"}).json()["records"]["judgment"][0][
        "verdict"] == "acquitted"
    refused = client.get(f"/api/v1/entities/{DEFENDANT}/records", {"kind": "criminal"})
    assert refused.status_code == 400 and "compulsion" in refused.json()["detail"] and "judgment" in refused.json()["detail"]
    bad_kind = client.post("/api/v1/imports", {"kind": "criminal", "file": SimpleUploadedFile("x.csv", judgment_csv())})
    assert bad_kind.status_code == 400 and "judgment" in bad_kind.json()["detail"]


def test_the_api_imports_compulsions_and_refuses_rows_naming_the_column(client, bob, amr):
    client.force_login(bob)
    content = compulsion_csv(amr).decode("gb18030").replace("措施种类", "强制类别").replace(",0\r\n", ",实施中\r\n")
    content = content.replace(",1\r\n", ",已解除\r\n").replace("扣押,", "没收,")
    response = client.post("/api/v1/imports", {"kind": "compulsion", "file": SimpleUploadedFile("qz.csv", content.encode())})
    body = response.json()
    assert (body["rows_created"], body["rows_rejected"]) == (1, 1)
    assert body["issues"][0]["column"] == "强制类别" and body["issues"][0]["value"] == "没收"
    assert "不是《行政强制法》第九条、第十二条所列的种类" in body["issues"][0]["reason"]


def test_the_court_lists_searches_and_opens_its_judgments(client, judgments, court_clerk, bob):
    client.force_login(court_clerk)
    listing = client.get("/department/records/", {"kind": "judgment"}).content.decode()
    assert '<option value="judgment" selected>刑事判决</option>' in listing
    assert "兰州门户刑事示例有限公司" in listing and "兰州门户无罪示例有限公司" in listing
    found = client.get("/department/records/", {"kind": "judgment", "q": "（2025）甘01刑初502号"}).content.decode()
    assert "兰州门户无罪示例有限公司" in found and "兰州门户刑事示例有限公司" not in found
    record = Judgment.objects.get(case_no="（2025）甘01刑初502号")
    page = client.get(f"/department/records/judgment/{record.pk}/").content.decode()
    details = page.split('id="current-values"')[1].split("</dl>")[0]
    assert "<dt>罪名</dt><dd>虚开发票罪</dd>" in details and "<dt>判决结果类型</dt><dd>无罪</dd>" in details
    assert "<dt>生效日期</dt><dd>2025-03-16</dd>" in details
    assert "<dt>领域</dt><dd>—</dd>" in page
    # Another department sees neither the list entry nor the record.
    client.force_login(bob)
    assert "兰州门户无罪示例有限公司" not in client.get("/department/records/", {"kind": "judgment"}).content.decode()
    assert client.get(f"/department/records/judgment/{record.pk}/").status_code == 404


def test_the_court_corrects_and_revokes_a_judgment_as_new_versions(client, judgments, court_clerk):
    client.force_login(court_clerk)
    record = Judgment.objects.get(case_no="（2025）甘01刑初501号")
    url = f"/department/records/judgment/{record.pk}/"
    assert client.post(url, {"action": "correct", "field": "set_aside_on", "value": "2025-10-01",
                             "reason": "再审撤销原判"}).status_code == 302
    refused = client.post(url, {"action": "correct", "field": "effective_on", "value": "2025-01-01", "reason": "r"})
    assert refused.status_code == 400 and "不能早于判决（裁定）日期" in refused.content.decode()
    assert client.post(url, {"action": "revoke", "reason": "数据报送错误"}).status_code == 302
    record.refresh_from_db()
    assert (str(record.set_aside_on), record.status, record.version) == ("2025-10-01", "revoked", 3)
    assert [v.change for v in RecordVersion.objects.filter(kind="judgment", record_id=record.pk).order_by("version")] == [
        "created", "corrected", "revoked"]


def test_a_clerk_corrects_a_compulsion_s_lifting_and_its_category_within_its_type(client, bob, amr):
    client.force_login(bob)
    content = compulsion_csv(amr).decode("gb18030").replace("措施种类", "强制类别").replace(",0\r\n", ",\r\n")
    content = content.replace(",1\r\n", ",已解除\r\n")
    client.post("/api/v1/imports", {"kind": "compulsion", "file": SimpleUploadedFile("qz.csv", content.encode())})
    record = Compulsion.objects.get(decision_no="兰市监强〔2025〕7号")
    url = f"/department/records/compulsion/{record.pk}/"
    page = client.get(url).content.decode()
    assert "<dt>强制类型</dt><dd>行政强制措施</dd>" in page and "<dt>解除日期</dt><dd>—</dd>" in page

    assert client.post(url, {"action": "correct", "field": "lifted_on", "value": "2025-06-01",
                             "reason": "已解除查封"}).status_code == 302
    other_type = client.post(url, {"action": "correct", "field": "category", "value": "划拨存款汇款", "reason": "r"})
    same_type = client.post(url, {"action": "correct", "field": "category", "value": "查封、扣押", "reason": "补记扣押"})

    assert other_type.status_code == 400 and "“划拨存款汇款”不属于行政强制措施" in other_type.content.decode()
    assert same_type.status_code == 302
    record.refresh_from_db()
    assert (str(record.lifted_on), record.current_state, record.category, record.version) == (
        "2025-06-01", "已解除", "查封场所设施或者财物；扣押财物", 3)


def test_the_office_finds_both_kinds_in_the_admin_and_cannot_edit_them(client, judgments):
    office = User.objects.create_superuser("office", password="pw-office-1")
    client.force_login(office)
    found = client.get("/admin/records/judgment/", {"q": "（2025）甘01刑初501号"}).content.decode()
    assert "兰州门户刑事示例有限公司" in found and "兰州门户无罪示例有限公司" not in found
    assert client.get("/admin/records/compulsion/").status_code == 200
    record = Judgment.objects.get(case_no="（2025）甘01刑初501号")
    assert client.get("/admin/records/judgment/add/").status_code == 403
    assert client.post(f"/admin/records/judgment/{record.pk}/change/", {"charges": "改"}).status_code == 403
    assert Judgment.objects.get(pk=record.pk).charges == "污染环境罪"


def test_check_personal_ids_scans_judgments_and_compulsions(client, court_clerk):
    content = judgment_csv().decode("utf-8-sig").replace("判处罚金人民币三十万元", f"判处罚金人民币三十万元（代理人{PERSON_ID}）")
    client.force_login(court_clerk)
    client.post("/api/v1/imports", {"kind": "judgment", "file": SimpleUploadedFile("刑事.csv", content.encode())})
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_personal_ids", stdout=out, stderr=io.StringIO())
    record = Judgment.objects.get(case_no="（2025）甘01刑初501号")
    assert exit_.value.code == 1
    assert ("records_judgment", str(record.pk), "summary", mask_id_number(PERSON_ID)) in {
        tuple(line.split("\t")) for line in out.getvalue().splitlines()}
