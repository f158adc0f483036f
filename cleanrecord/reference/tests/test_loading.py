import pytest
from django.core.management import call_command

from cleanrecord.reference.models import Department, Domain, Region
from cleanrecord.testing.regions import clear_region


@pytest.mark.django_db
def test_reference_data_is_loaded_once_and_reloading_changes_nothing():
    before = (Region.objects.count(), Domain.objects.count(), Department.objects.count())
    call_command("load_reference", verbosity=0)
    assert (Region.objects.count(), Domain.objects.count(), Department.objects.count()) == before
    assert before[1] == 38
    assert Region.root().code == "620100" and Region.root().name == "兰州市"
    assert Region.objects.get(code="620102").parent_id == "620100"


@pytest.mark.django_db
def test_departments_name_their_default_domain_and_kind():
    tax = Department.objects.get(code="tax")
    assert tax.default_domain.name == "税务" and tax.is_central_vertical
    court = Department.objects.get(code="court-intermediate")
    assert court.is_court and court.default_domain_id == "court-enforcement"
    assert Department.lookup(tax.credit_code.lower()) == tax
    assert set(Department.objects.values_list("default_domain", flat=True)) == set(Domain.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_another_city_loads_its_own_reference_folder(tmp_path):
    (tmp_path / "region.json").write_text('{"code": "620200", "name": "嘉峪关市", "districts": []}', encoding="utf-8")
    (tmp_path / "domains.csv").write_text("order,code,name\n34,taxation,税务\n", encoding="utf-8")
    (tmp_path / "departments.csv").write_text(
        "code,name,credit_code,region,default_domain,central_vertical,court\n"
        "jyg-tax,国家税务总局嘉峪关市税务局,11620200MB00000018,620200,taxation,1,0\n", encoding="utf-8")
    clear_region()  # a platform serves one region: 嘉峪关市 deploys on a database of its own
    call_command("load_reference", dir=tmp_path, verbosity=0)
    assert Department.objects.get(code="jyg-tax").region.name == "嘉峪关市"


@pytest.mark.django_db
def test_the_office_allows_a_department_to_send_for_others_in_departments_csv(tmp_path):
    (tmp_path / "region.json").write_text('{"code": "620200", "name": "嘉峪关市", "districts": []}', encoding="utf-8")
    (tmp_path / "domains.csv").write_text("order,code,name\n34,taxation,税务\n", encoding="utf-8")
    csv_text = ("code,name,credit_code,region,default_domain,central_vertical,court,send_for_others\n"
                "jyg-feed,嘉峪关市信用信息共享平台,11620200MB00000026,620200,taxation,0,0,1\n"
                "jyg-tax,国家税务总局嘉峪关市税务局,11620200MB00000018,620200,taxation,1,0,\n")
    (tmp_path / "departments.csv").write_text(csv_text, encoding="utf-8")
    clear_region()
    call_command("load_reference", dir=tmp_path, verbosity=0)
    assert Department.objects.get(code="jyg-feed").may_send_for_others
    assert not Department.objects.get(code="jyg-tax").may_send_for_others
    # The shipped data set has no such column: every department sends only its own decisions.
    assert not Department.objects.filter(may_send_for_others=True).exclude(code="jyg-feed").exists()
