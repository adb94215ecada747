"""The client's address, as the configured proxies report it.

``VEJUD_TRUSTED_PROXIES`` lists the addresses or networks of the proxies in front of the
application (the TLS terminator, a load balancer). A request that comes from one of them
carries the client's address in ``X-Forwarded-For``; the list is read from the right (the
proxy nearest to us appended last), skipping trusted proxies, and the first other address is
the client. A request from anywhere else is the client itself: its ``X-Forwarded-For`` is
whatever the client chose to send and is ignored. Login throttling (django-axes'
``AXES_CLIENT_IP_CALLABLE``), login sessions and the access log use this address.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: REMOTE_ADDR, or the forwarded one behind trusted proxies."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    networks = _trusted(tuple(settings.VEJUD_TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [
        hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    for hop in reversed(forwarded):
        if not hop:
            continue
        if not _is_valid(hop):
            return remote  # a garbled header: the last proxy is all we know
        if not _is_trusted(hop, networks):
            return hop
    return remote


def _is_valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
