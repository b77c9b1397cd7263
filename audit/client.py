"""The client address of a request, the one answer used by the audit trail and the login lockout.

Behind the TLS reverse proxy that production requires, REMOTE_ADDR is the proxy's address for every
user. The proxy's X-Forwarded-For is believed only when REMOTE_ADDR is one of the configured
TRUSTED_PROXIES (addresses or networks); the client is then the right-most address in that header
that is not itself a trusted proxy. A client talking to the portal directly cannot choose its
address by sending the header.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
# Headers only a trusted proxy may set (portal.middleware.TrustedProxyMiddleware drops them otherwise).
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
                 "HTTP_X_REAL_IP", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _address(address or "")
    if ip is None:
        return False
    return any(ip in network for network in _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()))))


def client_address(request) -> str | None:
    """REMOTE_ADDR, unless it is a trusted proxy: then the client the proxy names in X-Forwarded-For."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or ""
    if not is_trusted_proxy(remote):
        return str(_address(remote)) if _address(remote) else None
    for hop in reversed(request.META.get(FORWARDED_FOR, "").split(",")):
        ip = _address(hop)
        if ip is None:
            break  # a malformed entry: believe nothing to its left
        if not is_trusted_proxy(str(ip)):
            return str(ip)
    return str(_address(remote))
