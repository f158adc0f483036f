import pytest

from cleanrecord.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_a_login_is_audited_with_who_and_from_where(client, outsider):
    response = client.post(LOGIN, {"username": "dave", "password": "pw-dave-1"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="accounts.login")
    assert (entry.user, entry.actor, entry.target) == (outsider, "dave", "user:dave")
    assert entry.after == {"ip": "127.0.0.1"}


def test_a_failed_login_records_the_username_and_never_the_password(client, outsider):
    response = client.post(LOGIN, {"username": "dave", "password": "guessed-Secret-9"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="accounts.login_failed")
    assert (entry.user, entry.actor, entry.target) == (None, "anonymous", "user:dave")
    assert entry.after == {"username": "dave", "ip": "127.0.0.1"}
    stored = str([entry.actor, entry.target, entry.before, entry.after])
    assert "guessed-Secret-9" not in stored and "*****" not in stored
    assert not AuditEntry.objects.filter(action="accounts.login").exists()


def test_a_failed_login_for_a_name_nobody_has_is_audited_too(client):
    client.post(LOGIN, {"username": "no-such-user", "password": "x"})
    assert AuditEntry.objects.get(action="accounts.login_failed").target == "user:no-such-user"


def test_an_absurdly_long_username_is_cut_to_fit_rather_than_breaking_the_login_page(client):
    response = client.post(LOGIN, {"username": "x" * 5000, "password": "x"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="accounts.login_failed")
    assert entry.target == "user:" + "x" * 150


def test_a_logout_is_audited(client, outsider):
    client.force_login(outsider)
    client.post("/accounts/logout/")
    entry = AuditEntry.objects.get(action="accounts.logout")
    assert (entry.user, entry.actor, entry.target) == (outsider, "dave", "user:dave")


def test_login_entries_join_the_chain(client, outsider):
    client.post(LOGIN, {"username": "dave", "password": "wrong"})
    client.post(LOGIN, {"username": "dave", "password": "pw-dave-1"})
    failed, login = AuditEntry.objects.filter(action__startswith="accounts.").order_by("id")
    assert login.prev_hash == failed.hash and login.hash == login.compute_hash()
