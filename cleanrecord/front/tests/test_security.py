"""Passwords, login lockout and the security headers every page carries."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils import timezone

from cleanrecord.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def log_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_new_passwords_are_hashed_with_argon2(dave):
    assert dave.password.startswith("argon2$argon2id$")


def test_an_older_pbkdf2_password_still_works_and_is_rehashed_with_argon2_at_login(client):
    user = User.objects.create(username="erin", password=make_password("pw-erin-1", hasher="pbkdf2_sha256"))
    assert log_in(client, "erin", "pw-erin-1").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, dave):
    for _ in range(4):
        assert log_in(client, "dave", "wrong").status_code == 200
    fifth = log_in(client, "dave", "wrong")
    assert fifth.status_code == 429
    sixth = log_in(client, "dave", "pw-dave-1")
    assert sixth.status_code == 429
    assert "登录失败次数过多，该账户已被暂时锁定，请 30 分钟后再试。" in sixth.content.decode()
    assert not logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.login_failed", target="user:dave").count() == 6
    assert not AuditEntry.objects.filter(action="accounts.login").exists()


def test_the_lock_is_on_the_username_from_that_address_only(client, dave, bob):
    for _ in range(5):
        log_in(client, "dave", "wrong")
    assert log_in(client, "bob", "pw-bob-1").status_code == 302  # a colleague behind the same address
    client.logout()
    assert log_in(client, "dave", "pw-dave-1", address="10.1.2.3").status_code == 302  # dave from elsewhere


def test_the_lock_lifts_after_thirty_minutes(client, dave):
    for _ in range(5):
        log_in(client, "dave", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert log_in(client, "dave", "pw-dave-1").status_code == 302
    assert logged_in(client)


def test_a_successful_login_resets_the_count(client, dave):
    for _ in range(4):
        log_in(client, "dave", "wrong")
    assert log_in(client, "dave", "pw-dave-1").status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "dave", "wrong")
    assert log_in(client, "dave", "pw-dave-1").status_code == 302


@pytest.mark.parametrize("url", ["/", LOGIN, "/entities/"])
def test_pages_carry_the_security_headers(client, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("url", ["/", LOGIN])
def test_pages_have_no_inline_script_the_policy_would_block(client, url):
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
