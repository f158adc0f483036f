"""The guessing budget: per client behind trusted proxies, on the report's own pages too, and exact
under parallel requests."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cleanrecord.reports.services import issue_report
from cleanrecord.reports.tests.factories import entity, penalty
from cleanrecord.testing.concurrency import run_at_once
from cleanrecord.verification.models import ClientBudget, VerificationLog

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

PROXY = "10.0.0.5"
UNKNOWN = "ZZZZZZZZZZZZZZZZZZ"  # + two digits: a well-formed code no report has


def make_report():
    e = entity(name="兰州核验限额测试有限公司")
    penalty(e, timezone.localdate() - dt.timedelta(days=30))
    return issue_report(credit_code=e.credit_code, domains=["market-regulation"], purpose="finance")


@pytest.fixture
def issued(db):
    return make_report()


@pytest.fixture
def behind_proxy(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "TRUSTED_PROXIES": ["10.0.0.0/24"]}


def via_proxy(client_address: str) -> Client:
    """A browser at `client_address`, reaching the platform through the trusted reverse proxy."""
    return Client(REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": client_address})


def spend_all(client: Client) -> list[int]:
    return [client.get(f"/api/v1/verify/{UNKNOWN}{i:02d}").status_code for i in range(21)]


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_budget(issued, behind_proxy):
    guesser, bank = via_proxy("198.51.100.1"), via_proxy("198.51.100.2")
    assert spend_all(guesser) == [404] * 20 + [429]
    # Before, everyone behind the proxy was one client: one guesser blocked every bank.
    assert bank.get(f"/verify/{issued.verification_code}").status_code == 200
    assert bank.get(f"/api/v1/verify/{UNKNOWN}99").status_code == 404
    assert guesser.get(f"/verify/{issued.verification_code}").status_code == 429
    assert ClientBudget.objects.count() == 2


@pytest.mark.django_db
def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(issued, behind_proxy):
    statuses = [Client(REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": f"198.51.100.{i}"})
                .get(f"/api/v1/verify/{UNKNOWN}{i:02d}").status_code for i in range(21)]
    assert statuses == [404] * 20 + [429]
    assert ClientBudget.objects.count() == 1


@pytest.mark.django_db
def test_a_client_cannot_pose_as_another_by_writing_the_header_itself(issued, behind_proxy):
    # The proxy appends what it saw to what the client sent: the client's own entry is never believed.
    statuses = [via_proxy(f"198.51.100.{i}, 198.51.100.1").get(f"/api/v1/verify/{UNKNOWN}{i:02d}").status_code
                for i in range(21)]
    assert statuses == [404] * 20 + [429]


@pytest.mark.django_db
def test_the_log_keys_the_client_behind_the_proxy(issued, behind_proxy):
    via_proxy("198.51.100.1").get(f"/verify/{issued.verification_code}")
    via_proxy("198.51.100.2").get(f"/verify/{issued.verification_code}")
    assert VerificationLog.objects.values("client").distinct().count() == 2


@pytest.mark.django_db
def test_unknown_codes_on_the_report_page_and_pdf_spend_the_same_budget(issued):
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [guesser.get(f"/reports/{UNKNOWN}{i:02d}/").status_code for i in range(10)]
    statuses += [guesser.get(f"/reports/{UNKNOWN}{i:02d}/pdf").status_code for i in range(10, 15)]
    statuses += [guesser.get(f"/api/v1/verify/{UNKNOWN}{i:02d}").status_code for i in range(15, 20)]
    assert statuses == [404] * 20
    for url in (f"/reports/{UNKNOWN}99/", f"/reports/{issued.verification_code}/pdf",
                f"/reports/{issued.verification_code}/"):
        refused = guesser.get(url)
        assert refused.status_code == 429
        assert "为防止猜测核验码，请在" in refused.content.decode() and int(refused["Retry-After"]) > 0
    # Someone else still opens the report and its PDF.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get(f"/reports/{issued.verification_code}/").status_code == 200
    pdf = other.get(f"/reports/{issued.verification_code}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_known_codes_on_the_report_page_spend_nothing(issued):
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert all(owner.get(f"/reports/{issued.verification_code}/").status_code == 200 for _ in range(25))
    assert ClientBudget.objects.count() == 0


# -- under parallel requests --------------------------------------------------------------------

ATTEMPTS = 40


def test_forty_parallel_guesses_get_exactly_the_budget_of_twenty_answers(shared_database):
    make_report()

    def guess(i: int) -> int:
        return Client(REMOTE_ADDR="203.0.113.9").get(f"/api/v1/verify/{UNKNOWN}{i:02d}").status_code

    statuses = run_at_once(guess, ATTEMPTS)
    assert sorted(statuses) == [404] * 20 + [429] * 20
    assert VerificationLog.objects.filter(result="not_found").count() == 20
    assert ClientBudget.objects.get().tokens < 1


def test_parallel_first_guesses_of_many_clients_each_make_one_budget(shared_database):
    make_report()

    def guess(i: int) -> int:  # two requests per client, both its first
        return Client(REMOTE_ADDR=f"203.0.113.{i // 2}").get(f"/verify/{UNKNOWN}{i:02d}").status_code

    statuses = run_at_once(guess, ATTEMPTS)
    assert statuses == [404] * ATTEMPTS
    assert sorted(ClientBudget.objects.values_list("tokens", flat=True)) == pytest.approx([18] * (ATTEMPTS // 2),
                                                                                         abs=0.1)
