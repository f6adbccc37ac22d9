"""The SSRF guard: a webhook target must be a public address, unless the operator allows a network
(``PORTAL_WEBHOOK_ALLOW_NETWORKS``, e.g. "127.0.0.0/8" for a receiver on the same machine).

Refused: private, loopback, link-local, multicast, reserved, unspecified and shared (carrier-grade
NAT) addresses, in IPv4 and IPv6, including IPv4 addresses mapped into IPv6 (``::ffff:127.0.0.1``)
or carried by 6to4/NAT64 prefixes. A host name is resolved and every address it resolves to must
pass; the check runs at registration and again before each send, and the send goes to the address
that was checked (so a name that resolves differently a moment later, DNS rebinding, changes
nothing)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from portal.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2000
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not "private" to ipaddress


class TargetRefused(Exception):
    """The URL may not be a webhook target; the message says why (shown to the admin)."""


@dataclass(frozen=True, slots=True)
class Target:
    url: str  # as registered
    scheme: str
    host: str  # as named in the URL (the Host header and the TLS server name)
    port: int
    address: Address  # the checked address the request goes to


def allowed_networks(text: str) -> tuple[Network, ...]:
    """The operator's exceptions: comma- or space-separated networks."""
    found: list[Network] = []
    for part in text.replace(",", " ").split():
        found.append(ipaddress.ip_network(part, strict=False))
    return tuple(found)


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address, allowed: tuple[Network, ...] = ()) -> str | None:
    """Why ``address`` may not be a target, or None when it may."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            return refusal(inner, allowed)
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("shared (carrier-grade NAT)", isinstance(address, ipaddress.IPv4Address) and address in _SHARED),
        ("reserved", address.is_reserved or not address.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{address} is a {name} address"
    return None


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"the host {host} cannot be resolved") from exc
    found: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise TargetRefused(f"the host {host} cannot be resolved")
    return found


def parse(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of a well-formed http(s) URL without credentials, else InvalidInput."""
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise InvalidInput("url", f"must be an http or https URL of at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput("url", "is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", "must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("url", "must not contain a user name or password")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InvalidInput("url", "is not a valid URL")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check(url: str, allowed: tuple[Network, ...] = ()) -> Target:
    """The target ``url`` names, resolved and checked; TargetRefused names the reason."""
    scheme, host, port = parse(url)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        addresses = _resolve(host, port)
    for address in addresses:
        reason = refusal(address, allowed)
        if reason is not None:
            shown = host if str(address) == host else f"{host} ({address})"
            raise TargetRefused(f"refused target {shown}: {reason.split(' is ', 1)[1]}")
    return Target(url.strip(), scheme, host, port, addresses[0])
