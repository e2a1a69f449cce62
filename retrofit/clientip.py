"""The client's address, as every throttle and log counts it.

A forwarded header (``X-Forwarded-For``, ``X-Real-IP``) is believed only when the request comes from
one of the configured ``TRUSTED_PROXIES``: anyone reaching gunicorn directly can write any header, and
rotating it would escape every per-address limit. Behind trusted proxies the client is the right-most
address of ``X-Forwarded-For`` that is not itself a trusted proxy (each proxy appends the address it
was reached from, so what a client wrote into the header lies further left and is never read);
without that header, ``X-Real-IP``.

An IPv6 client is counted by its /64 network: one connection is given a whole /64 and could draw a
new address for every guess. IPv4-mapped IPv6 addresses count as their IPv4 address.

django-ipware was considered: its trusted-proxy list matches the proxies inside the forwarded chain,
not the peer the request arrived from, so it cannot say "believe the header only from these peers".
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

IPV6_PREFIX = 64
_warned = False

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_proxies(values) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` → networks; a wrong entry stops the start with its name."""
    networks = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {text!r} is not an IP address or CIDR network") from error
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]):
    return parse_proxies(values)


def _address(text: str | None) -> Address | None:
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def _key(address: Address) -> str:
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False).network_address)
    return str(address)


def client_address(request) -> Address | None:
    """The client's address (see the module's docstring), not yet reduced to its /64."""
    global _warned
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not _trusted(peer, networks):
        if not networks and not _warned and peer.is_loopback and meta.get("HTTP_X_FORWARDED_FOR", meta.get("HTTP_X_REAL_IP")):
            _warned = True
            log.warning(
                "A proxy on this machine forwards client addresses, but TRUSTED_PROXIES is empty: every client "
                "counts as %s for the login and code limits. Set TRUSTED_PROXIES=%s.", peer, peer,
            )
        return peer
    forwarded = meta.get("HTTP_X_FORWARDED_FOR") or meta.get("HTTP_X_REAL_IP") or ""
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # not written by one of our proxies: stop at the last one we trust
            break
        client = address
        if not _trusted(address, networks):
            break
    return client


def client_ip(request) -> str | None:
    """The address every throttle and log uses: IPv4 as it is, IPv6 as its /64 network."""
    address = client_address(request)
    return _key(address) if address is not None else None
