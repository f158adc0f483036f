"""seed_demo: a deterministic demo data set, written as national-layout files and imported like a department's."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from stdnum.cn import ric, uscc

from cleanrecord.demo.generate import DEMO_FILES, PENALTY_HEADER, write_demo_files
from cleanrecord.demo.management.commands import seed_demo
from cleanrecord.demo.matters import DEMO_MATTERS
from cleanrecord.entities.models import Entity
from cleanrecord.lib import fieldcrypt
from cleanrecord.records.models import ImportBatch, Licence, Listing, Penalty, Procedure, RecordStatus
from cleanrecord.reference.models import Domain, Region

pytestmark = pytest.mark.django_db

ENTITIES = 40


@pytest.fixture
def seeded(tmp_path) -> str:
    """Seed the demo data set once; returns what the command printed."""
    out = io.StringIO()
    call_command("seed_demo", entities=ENTITIES, seed=7, export_dir=tmp_path / "demo", stdout=out)
    return out.getvalue()


def test_the_same_seed_writes_the_same_files(tmp_path):
    today = timezone.localdate()

    first = write_demo_files(tmp_path / "a", entities=ENTITIES, seed=7, today=today)
    second = write_demo_files(tmp_path / "b", entities=ENTITIES, seed=7, today=today)
    other = write_demo_files(tmp_path / "c", entities=ENTITIES, seed=8, today=today)

    assert list(first.paths) == ["register", "penalty", "licence", "listing", "compulsion", "judgment"]
    for kind in DEMO_FILES:
        assert first.paths[kind].read_bytes() == second.paths[kind].read_bytes(), kind
        assert first.paths[kind].read_bytes() != other.paths[kind].read_bytes(), kind


def test_it_imports_every_row_and_keeps_the_files(seeded, tmp_path):
    batches = list(ImportBatch.objects.order_by("id"))

    assert [b.kind for b in batches] == ["register", "penalty", "licence", "listing", "compulsion", "judgment"]
    for b in batches:
        assert (b.status, b.channel, b.rows_rejected, b.rows_warned) == ("done", "cli", 0, 0), b.kind
        assert b.rows_read > 0
        assert (tmp_path / "demo" / b.file_name).is_file()
    assert Entity.objects.count() == ENTITIES
    assert not Entity.objects.filter(from_register=False).exists()  # every record names a registered entity
    assert "演示数据已导入：经营主体 40 户，行政处罚" in seeded


def test_credit_codes_are_valid_codes_of_the_region(seeded):
    districts = set(Region.objects.exclude(parent=None).values_list("code", flat=True))

    for code, kind in Entity.objects.values_list("credit_code", "kind"):
        assert uscc.validate(code) == code
        assert code[2:8] in districts
        assert code[:2] == {"individual": "92", "cooperative": "93"}.get(kind, "91"), (code, kind)


def test_id_numbers_are_stored_encrypted_and_shown_masked(seeded):
    for entity in Entity.objects.all():
        assert entity.legal_rep_id_encrypted.startswith("v1:")
        assert re.fullmatch(r"6201\*{10}\d{3}[\dX]", entity.legal_rep_id_masked), entity.legal_rep_id_masked
        number = fieldcrypt.decrypt(entity.legal_rep_id_encrypted)
        assert ric.validate(number) == number
        assert number.endswith(entity.legal_rep_id_masked[-4:])
    penalty = Penalty.objects.first()
    assert penalty.legal_rep_id_encrypted.startswith("v1:") and "*" in penalty.legal_rep_id_masked


def test_it_includes_every_case_a_report_must_handle(seeded):
    revoked = Penalty.objects.filter(status=RecordStatus.REVOKED)
    assert revoked.exists()
    assert all(p.revoked_on and p.revoke_reason for p in revoked)
    repaired = Penalty.objects.exclude(repaired_on=None)
    assert repaired.exists()
    assert all(p.repair_decision.startswith("兰信修") and p.repaired_on > p.decided_on for p in repaired)
    assert Penalty.objects.filter(procedure=Procedure.SIMPLE).exists()
    assert Penalty.objects.filter(not_penalised=True).count() == 1
    assert Penalty.objects.filter(confidential=True).count() == 1
    assert Penalty.objects.filter(domain="intellectual-property", department__code__startswith="amr").exists()
    assert Licence.objects.count() > ENTITIES // 2

    court = Listing.objects.filter(list_type="失信被执行人")
    assert court.exists()
    assert all(c.case_no.startswith("（") and "执" in c.case_no and c.court_name and c.filed_on for c in court)
    assert all(c.domain_id == "court-enforcement" and c.department.is_court for c in court)
    # The basis the demo writes is the one the import fills in for a court list sent without it.
    assert set(court.values_list("basis", flat=True)) == {"《最高人民法院关于公布失信被执行人名单信息的若干规定》"}
    assert court.filter(status=RecordStatus.REMOVED).exclude(removed_on=None).exists()
    assert Listing.objects.exclude(list_type="失信被执行人").exists()


def test_every_domain_has_records(seeded):
    domains = set()
    for model in (Penalty, Licence, Listing):
        domains |= set(model.objects.values_list("domain", flat=True))

    assert domains == set(Domain.objects.values_list("code", flat=True))


def test_names_with_rare_characters_and_quotes_survive_the_round_trip(seeded):
    names = set(Entity.objects.values_list("name", flat=True))

    assert "兰州𡃁仔餐饮管理有限公司" in names
    assert "城关区䶮记牛肉面馆" in names
    assert '兰州"金城,老街"文化传媒有限公司' in names
    assert Penalty.objects.filter(subject_name__in=names).count() == Penalty.objects.count()


def test_if_empty_leaves_an_existing_register_alone(seeded, tmp_path):
    batches = ImportBatch.objects.count()
    out = io.StringIO()

    call_command("seed_demo", entities=5, seed=9, if_empty=True, export_dir=tmp_path / "again", stdout=out)

    assert "已有经营主体数据，未生成演示数据" in out.getvalue()
    assert ImportBatch.objects.count() == batches
    assert Entity.objects.count() == ENTITIES
    assert not (tmp_path / "again").exists()


def test_a_refused_row_stops_the_command_with_the_reason(tmp_path, monkeypatch):
    def with_a_bad_row(folder, **options):
        files = write_demo_files(folder, **options)
        with files.paths["penalty"].open("a", encoding="utf-8", newline="") as f:
            f.write("兰州某某商贸有限公司,法人及非法人组织,NOT-A-CODE" + "," * (len(PENALTY_HEADER) - 3) + "\r\n")
        files.rows["penalty"] += 1
        return files

    monkeypatch.setattr(seed_demo, "write_demo_files", with_a_bad_row)

    with pytest.raises(CommandError, match="行政处罚.*拒收 1 行.*统一社会信用代码格式错误"):
        call_command("seed_demo", entities=5, seed=1, export_dir=tmp_path, stdout=io.StringIO())


@pytest.mark.django_db
def test_seed_demo_makes_one_account_per_role_with_random_passwords(tmp_path):
    import io

    from django.contrib.auth import authenticate
    from django.core.management import call_command
    from django.test import RequestFactory

    from cleanrecord.accounts.models import EntityUser, is_office

    out = io.StringIO()
    call_command("seed_demo", "--entities", "20", "--seed", "5", "--export-dir", str(tmp_path), stdout=out)
    lines = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
    accounts = {u: p for u, p, _ in (line.split("\t") for line in lines)}
    assert set(accounts) == {"demo-office", "demo-auditor", "demo-amr", "demo-entity", "demo-bank"}
    assert (tmp_path / "demo-accounts.txt").stat().st_mode & 0o077 == 0
    request = RequestFactory().post("/accounts/login/")
    office = authenticate(request, username="demo-office", password=accounts["demo-office"])
    assert office is not None and is_office(office)
    assert EntityUser.objects.filter(user__username="demo-entity").exists()
    assert accounts["demo-office"] in out.getvalue()



def test_departments_without_demo_files_confirm_nothing_new(seeded):
    from cleanrecord.freshness.models import NothingNew
    from cleanrecord.freshness.services import silent_sources

    assert silent_sources() == []
    confirmed = set(NothingNew.objects.values_list("department__code", flat=True))
    assert confirmed and not confirmed & set(Penalty.objects.values_list("department__code", flat=True))
    assert f"{len(confirmed)} 个未报送演示数据的部门已确认“本期无新增数据”" in seeded


def test_the_demo_has_a_catalogue_of_matters(seeded, client):
    assert "应替尽替事项清单：5 个演示事项" in seeded
    page = client.get("/matters/").content.decode()
    assert all(name in page for _, name, _, _ in DEMO_MATTERS)
    assert "兰州市住房和城乡建设局" in page and "全部领域" in page
