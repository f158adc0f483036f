import csv
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cleanrecord.entities.models import Entity
from cleanrecord.records.models import Penalty
from cleanrecord.records.services import import_upload
from cleanrecord.records.tests.uploads import COMPANY, penalty_csv

SHARED_DOMAINS = Path(__file__).resolve().parents[3].parent / "shared" / "domain" / "domains.csv"


@pytest.mark.django_db
def test_home_lists_the_38_domains_in_order(client):
    html = client.get("/").content.decode()
    with (Path(__file__).resolve().parents[2] / "reference/data/lanzhou/domains.csv").open(encoding="utf-8") as f:
        domains = list(csv.DictReader(f))
    assert len(domains) == 38
    positions = [html.index(f'id="domain-{d["code"]}">{d["name"]}') for d in domains]
    assert positions == sorted(positions)


def test_bundled_domains_are_the_shared_domain_list():
    if not SHARED_DOMAINS.exists():
        pytest.skip("shared/domain/domains.csv is not beside this checkout")
    bundled = Path(__file__).resolve().parents[2] / "reference/data/lanzhou/domains.csv"
    assert bundled.read_text(encoding="utf-8").strip() == SHARED_DOMAINS.read_text(encoding="utf-8").strip()


def _import(amr, content: bytes, user=None):
    upload = SimpleUploadedFile("p.csv", content)
    return import_upload(user=user, upload=upload, kind="penalty", department=amr, mapping=None, dry_run=False,
                         channel="web")


@pytest.mark.django_db
def test_search_finds_an_entity_by_code_in_lower_case_and_by_part_of_its_name(client, amr):
    _import(amr, penalty_csv(amr, {"name": "兰州黄河测试商贸有限公司"}))
    by_code = client.get("/entities/", {"q": COMPANY.lower()}).content.decode()
    by_name = client.get("/entities/", {"q": "黄河测试"}).content.decode()
    assert "兰州黄河测试商贸有限公司" in by_code
    assert "兰州黄河测试商贸有限公司" in by_name
    assert "未找到" in client.get("/entities/", {"q": "不存在的公司"}).content.decode()


@pytest.mark.django_db
def test_entity_page_shows_public_penalties_but_not_revoked_or_confidential_ones(client, amr):
    _import(amr, penalty_csv(amr, {"no": "兰市监罚〔2025〕1号"}, {"no": "兰市监罚〔2025〕2号"},
                             {"no": "兰市监罚〔2025〕3号"}))
    Penalty.objects.filter(decision_no="兰市监罚〔2025〕2号").update(status="revoked")
    Penalty.objects.filter(decision_no="兰市监罚〔2025〕3号").update(confidential=True)
    html = client.get(f"/entities/{COMPANY}/").content.decode()
    assert "兰市监罚〔2025〕1号" in html
    assert "兰市监罚〔2025〕2号" not in html
    assert "兰市监罚〔2025〕3号" not in html


@pytest.mark.django_db
def test_an_unknown_entity_is_404(client):
    assert client.get("/entities/91620102MA71XXXX00/").status_code == 404


@pytest.mark.django_db
def test_entity_created_by_import_is_marked_not_yet_checked_against_the_register(amr):
    _import(amr, penalty_csv(amr, {}))
    entity = Entity.objects.get(credit_code=COMPANY)
    assert entity.from_register is False
    assert entity.kind == "company"
    assert entity.region_code == "620102"


@pytest.mark.django_db
def test_entity_page_shows_compulsions_and_judgments_in_force_but_not_revoked_acquitted_or_set_aside(client, amr):
    import datetime as dt

    from cleanrecord.reports.tests.factories import compulsion, judgment

    _import(amr, penalty_csv(amr, {"no": "兰市监罚〔2025〕1号"}))
    company = Entity.objects.get(credit_code=COMPANY)
    day = dt.date(2025, 3, 1)
    compulsion(company, day, decision_no="兰市监强〔2025〕1号", lifted_on=dt.date(2025, 4, 1), reason="扣押过期食品")
    compulsion(company, day, decision_no="兰市监强〔2025〕2号", status="revoked")
    compulsion(company, day, decision_no="兰市监强〔2025〕3号", confidential=True)
    judgment(company, day, case_no="（2025）甘01刑初1号")
    judgment(company, day, case_no="（2025）甘01刑初2号", verdict="acquitted")
    judgment(company, day, case_no="（2025）甘01刑初3号", set_aside_on=dt.date(2025, 6, 1))

    html = client.get(f"/entities/{COMPANY}/").content.decode()

    assert "兰市监强〔2025〕1号" in html and "扣押过期食品" in html and "已解除（2025-04-01）" in html
    assert "兰市监强〔2025〕2号" not in html and "兰市监强〔2025〕3号" not in html
    assert "（2025）甘01刑初1号" in html and "单位行贿罪" in html
    assert "（2025）甘01刑初2号" not in html and "（2025）甘01刑初3号" not in html
