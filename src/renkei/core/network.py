"""The client's address, the one answer used by rate limits, the login lock-out and the audit trail.

Without configuration it is REMOTE_ADDR and forwarded headers are ignored: a client sets them
itself, so trusting them would let it choose its own rate-limit bucket and audit address. Behind
a reverse proxy, set
  RENKEI_TRUSTED_PROXY_HEADER  the header the proxy appends the client to (e.g. X-Forwarded-For)
  RENKEI_TRUSTED_PROXIES       the proxies' addresses as CIDRs ("10.0.0.0/8,127.0.0.1"),
                               or the number of proxies in front of the server ("1")
The header is read only when the request came from a trusted proxy, from the right: the
right-most address that is not a trusted proxy is the client (the entries left of it were written
by the client and prove nothing).
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _proxy_config(header: str, proxies: str) -> tuple[str, int | None, tuple[Network, ...]]:
    """(META key, number of proxies or None, trusted networks) for the settings' values."""
    meta_key = "HTTP_" + header.strip().upper().replace("-", "_")
    proxies = proxies.strip()
    if proxies.isdigit():
        return meta_key, int(proxies), ()
    networks = tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies.split(",") if p.strip())
    return meta_key, None, networks


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: Any, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request: Any) -> str | None:
    """The address of the client that sent the request (see the module's docstring); None when the
    server was not told any (a test client, a unix socket): audit rows and the login lock-out store
    an address column that accepts only addresses."""
    found_remote = _address(str(request.META.get("REMOTE_ADDR") or ""))
    remote = str(found_remote) if found_remote else ""
    header = getattr(settings, "RENKEI_TRUSTED_PROXY_HEADER", "") or ""
    proxies = str(getattr(settings, "RENKEI_TRUSTED_PROXIES", "") or "")
    if not header or not proxies:
        return remote or None
    meta_key, hops, networks = _proxy_config(header, proxies)
    chain = [item.strip() for item in str(request.META.get(meta_key, "")).split(",") if item.strip()]
    if hops is not None:
        # N proxies: the last one is REMOTE_ADDR, the N-1 before it appended their peers; the
        # client is the N-th entry from the right.
        if hops == 0 or len(chain) < hops:
            return remote or None
        found = _address(chain[-hops])
        return str(found) if found else remote or None
    if not _trusted(_address(remote), networks):
        return remote or None  # not through our proxy: its header is the client's own
    client = remote
    for item in reversed(chain):
        address = _address(item)
        if address is None:
            break  # garbage: the hop before it (a trusted proxy) is the best we know
        client = str(address)
        if not _trusted(address, networks):
            break
    return client or None
