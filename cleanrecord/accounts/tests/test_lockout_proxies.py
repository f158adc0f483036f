"""The login lockout behind a reverse proxy: it locks the client, not the proxy, and a forged header from
anywhere else changes nothing."""

import pytest
from django.test import Client

from cleanrecord.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    settings.CLEANRECORD = {**settings.CLEANRECORD, "TRUSTED_PROXIES": ["10.0.0.0/24"]}


def via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": client_address})


def log_in(client: Client, password: str):
    return client.post(LOGIN, {"username": "dave", "password": password})


def test_a_client_locked_out_behind_the_proxy_does_not_lock_out_another(dave):
    attacker, dave_at_home = via_proxy("198.51.100.1"), via_proxy("198.51.100.2")
    statuses = [log_in(attacker, "wrong").status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]
    assert log_in(attacker, "pw-dave-1").status_code == 429
    # Before, every client behind the proxy was the proxy: dave was locked out with the attacker.
    assert log_in(dave_at_home, "pw-dave-1").status_code == 302
    addresses = [e.after["ip"] for e in AuditEntry.objects.filter(action__startswith="accounts.login")]
    assert set(addresses) == {"198.51.100.1", "198.51.100.2"}


def test_a_forged_forwarded_for_from_an_untrusted_address_is_ignored(dave):
    for i in range(5):
        forged = Client(REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        log_in(forged, "wrong")
    locked = log_in(Client(REMOTE_ADDR="203.0.113.9", headers={"X-Forwarded-For": "198.51.100.99"}), "pw-dave-1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert {e.after["ip"] for e in AuditEntry.objects.filter(action="accounts.login_failed")} == {"203.0.113.9"}


def test_the_client_cannot_choose_its_address_by_writing_the_header_itself(dave):
    for i in range(5):
        log_in(via_proxy(f"198.51.100.{i}, 198.51.100.1"), "wrong")
    assert log_in(via_proxy("198.51.100.77, 198.51.100.1"), "pw-dave-1").status_code == 429
