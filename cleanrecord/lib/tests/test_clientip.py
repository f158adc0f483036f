"""Who the client is behind reverse proxies: X-Forwarded-For counts only from a trusted proxy."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from cleanrecord.lib.clientip import client_ip

PROXY = "10.0.0.5"


@pytest.fixture
def proxies(settings):
    def trust(*entries: str) -> None:
        settings.CLEANRECORD = {**settings.CLEANRECORD, "TRUSTED_PROXIES": list(entries)}

    return trust


def seen(remote: str, forwarded: str | None = None) -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers))


def test_without_trusted_proxies_the_header_is_ignored(proxies):
    proxies()
    assert seen("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_from_a_trusted_proxy_the_address_it_saw_is_the_client(proxies):
    proxies("10.0.0.0/8")
    assert seen(PROXY, "198.51.100.1") == "198.51.100.1"


def test_the_left_most_address_the_client_wrote_itself_is_never_taken(proxies):
    proxies("10.0.0.0/8")
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    assert seen(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(proxies):
    proxies("10.0.0.0/8", "192.0.2.10")
    assert seen(PROXY, "1.2.3.4, 198.51.100.1, 192.0.2.10, 10.1.1.1") == "198.51.100.1"


def test_a_request_from_an_untrusted_address_keeps_its_own_address(proxies):
    proxies("10.0.0.0/8")
    assert seen("203.0.113.9", "10.9.9.9, 198.51.100.1") == "203.0.113.9"


def test_a_trusted_proxy_without_the_header_is_the_client(proxies):
    proxies("10.0.0.0/8")
    assert seen(PROXY) == PROXY
    assert seen(PROXY, "") == PROXY


def test_garbage_beyond_the_trusted_proxies_stops_the_walk(proxies):
    proxies("10.0.0.0/8")
    assert seen(PROXY, "198.51.100.1, not-an-address") == PROXY
    assert seen(PROXY, "unknown, 10.1.1.1") == "10.1.1.1"


def test_ports_brackets_and_mapped_addresses_are_read(proxies):
    proxies("10.0.0.0/8", "2001:db8::/32")
    assert seen(PROXY, "198.51.100.1:5123") == "198.51.100.1"
    assert seen("2001:db8::1", "[2001:db8:ffff::1]:443, [2400:cb00::7]:8080") == "2400:cb00::7"
    assert seen("::ffff:10.0.0.5", "::ffff:198.51.100.1") == "198.51.100.1"


def test_a_bad_setting_is_named(proxies):
    proxies("10.0.0.0/8", "proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="proxy.internal"):
        seen(PROXY, "198.51.100.1")
