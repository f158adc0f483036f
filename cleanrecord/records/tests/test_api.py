import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.records.models import Penalty

from .uploads import COMPANY, penalty_csv


def post_import(client, content: bytes, **fields):
    return client.post("/api/v1/imports", {"kind": "penalty", "file": SimpleUploadedFile("p.csv", content), **fields})


@pytest.mark.django_db
def test_openapi_document_lists_the_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/entities/{code}", "/api/v1/entities/{code}/records", "/api/v1/imports"} <= set(doc["paths"])


@pytest.mark.django_db
def test_api_requires_login(client):
    response = client.get(f"/api/v1/entities/{COMPANY}")
    assert response.status_code == 401
    assert response.json()["detail"] == "请先登录"


@pytest.mark.django_db
def test_clerk_imports_through_the_api_and_reads_the_batch(client, bob, amr):
    client.force_login(bob)
    response = post_import(client, penalty_csv(amr, {}, {"no": "x2", "code": "BADCODE"}))
    assert response.status_code == 200
    body = response.json()
    assert (body["rows_read"], body["rows_created"], body["rows_rejected"]) == (2, 1, 1)
    assert body["issues"][0]["row"] == 3 and "统一社会信用代码" in body["issues"][0]["reason"]
    assert client.get(f"/api/v1/imports/{body['id']}").json()["rows_created"] == 1
    assert client.get(body["error_file_url"]).status_code == 200


@pytest.mark.django_db
def test_api_answers_422_for_an_unreadable_file(client, bob):
    client.force_login(bob)
    response = post_import(client, b"PK\x03\x04 not really a workbook")
    assert response.status_code == 422
    assert response.json()["status"] == "failed"
    assert Penalty.objects.count() == 0


@pytest.mark.django_db
def test_clerk_cannot_import_for_another_department_through_the_api(client, bob, tax):
    client.force_login(bob)
    response = post_import(client, penalty_csv(tax, {}), department="tax")
    assert response.status_code == 403
    assert Penalty.objects.count() == 0


@pytest.mark.django_db
def test_office_reads_an_entity_and_its_records_with_id_numbers_masked(client, alice, bob, amr):
    client.force_login(bob)
    post_import(client, penalty_csv(amr, {}))
    response = client.get(f"/api/v1/entities/{COMPANY.lower()}")
    assert response.status_code == 403  # a clerk is not the office
    client.force_login(alice)
    entity = client.get(f"/api/v1/entities/{COMPANY.lower()}").json()
    assert entity["credit_code"] == COMPANY and entity["kind_label"] == "公司"
    records = client.get(f"/api/v1/entities/{COMPANY}/records").json()["records"]
    assert records["penalty"][0]["decision_no"] == "兰市监罚〔2025〕1号"
    assert not any(k.endswith("_encrypted") for k in records["penalty"][0])
    assert client.get("/api/v1/entities/91620102MA71XXXX00").status_code == 404


@pytest.mark.django_db
def test_a_mapping_file_travels_with_the_upload(client, bob, amr):
    client.force_login(bob)
    content = penalty_csv(amr, {}).decode("utf-8-sig").replace("行政相对人名称", "企业名称（全称）").encode("utf-8-sig")
    mapping = SimpleUploadedFile("map.json", '{"企业名称（全称）": "行政相对人名称"}'.encode())
    response = client.post("/api/v1/imports", {"kind": "penalty", "file": SimpleUploadedFile("p.csv", content),
                                               "mapping": mapping})
    assert response.status_code == 200, response.content
    assert response.json()["rows_created"] == 1
    assert Penalty.objects.get().subject_name == "兰州测试商贸有限公司"
    doc = client.get("/api/v1/openapi.json").json()
    params = doc["paths"]["/api/v1/imports"]["post"].get("parameters", [])
    assert not any(p["name"] == "mapping" for p in params)  # in the multipart body, not the query string
