"""The client's address, as seen through the reverse proxies the deployment trusts.

X-Forwarded-For is a list each proxy appends to; everything left of the last proxy we trust was
written by someone we do not. So the header counts only when the request itself comes from a trusted
proxy, and the client is the right-most address in it that is not a trusted proxy: never the left-most,
which the client writes itself.
"""

import ipaddress
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from cleanrecord import conf

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"CLEANRECORD_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a CIDR network") from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(conf.get("TRUSTED_PROXIES")))


def parse_address(value: str) -> Address | None:
    """An address as proxies write it: bare, `[v6]:port` or `v4:port`; None when it is not one."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client reaching a dual-stack socket is the same client as over IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """The request was sent by one of the reverse proxies the deployment trusts (CLEANRECORD_TRUSTED_PROXIES)."""
    networks = trusted_networks()
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    return bool(networks) and peer is not None and _trusted(peer, networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address they saw.

    Also django-axes' AXES_CLIENT_IP_CALLABLE, so the login lockout and the audit trail agree with the
    verification budget.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    networks = trusted_networks()
    peer = parse_address(remote)
    if not networks or peer is None or not _trusted(peer, networks):
        return str(peer) if peer is not None else remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    client = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # Garbage can only have come from beyond the last trusted proxy: the hop right of it is
            # the last one we know.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
