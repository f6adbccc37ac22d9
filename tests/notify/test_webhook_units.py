"""Signing (verified by the standardwebhooks package), rotation overlap, the retry schedule, the
SSRF guard."""

from __future__ import annotations

import ipaddress
import socket
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from portal.notify.webhooks import guard, schedule, signing


def test_signature_verifies_with_standardwebhooks() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    body = b'{"type":"order.routed","data":{"id":1}}'
    now = datetime.now(UTC)
    headers = signing.headers("msg_1", now, body, [secret])
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers) == {"type": "order.routed", "data": {"id": 1}}
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    old = signing.headers("msg_1", now - timedelta(minutes=10), body, [secret])
    with pytest.raises(WebhookVerificationError):  # a replay outside the tolerance
        Webhook(secret).verify(body, old)


def test_rotation_signs_with_both_secrets_until_the_overlap_ends() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    now = datetime.now(UTC)
    expires = now + signing.ROTATION_OVERLAP
    keys = signing.signing_secrets(new, old, expires, now)
    assert keys == [new, old]
    body = b"{}"
    headers = signing.headers("msg_2", now, body, keys)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    assert signing.signing_secrets(new, old, expires, expires + timedelta(seconds=1)) == [new]
    assert signing.signing_secrets(new, None, None, now) == [new]


def test_schedule_covers_more_than_a_day_and_then_gives_up() -> None:
    assert schedule.total_span() >= timedelta(hours=24)
    assert schedule.delay_after(1) == timedelta(seconds=5)
    delays = [schedule.delay_after(n) for n in range(1, schedule.MAX_ATTEMPTS)]
    assert all(d is not None for d in delays)
    assert delays == sorted(delays)  # type: ignore[type-var]
    assert schedule.delay_after(schedule.MAX_ATTEMPTS) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    ],
)
def test_guard_refuses_non_public_addresses(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert guard.refusal(ip) is not None
    host = f"[{address}]" if ip.version == 6 else address
    with pytest.raises(guard.TargetRefused):
        guard.check(f"https://{host}/hook")


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_guard_takes_public_addresses(address: str) -> None:
    assert guard.refusal(ipaddress.ip_address(address)) is None


def test_operator_allows_loopback_explicitly() -> None:
    allowed = guard.allowed_networks("127.0.0.0/8, ::1/128")
    target = guard.check("http://127.0.0.1:8080/x", allowed)
    assert target.address == ipaddress.ip_address("127.0.0.1") and target.port == 8080
    assert guard.refusal(ipaddress.ip_address("::ffff:127.0.0.1"), allowed) is None
    assert guard.refusal(ipaddress.ip_address("10.0.0.1"), allowed) is not None


def test_host_names_resolving_to_private_addresses_are_refused() -> None:
    # localhost resolves to loopback on every machine: a name, not an address, is checked too.
    assert {str(info[4][0]) for info in socket.getaddrinfo("localhost", 80)} <= {"127.0.0.1", "::1"}
    with pytest.raises(guard.TargetRefused, match="localhost"):
        guard.check("http://localhost/hook")
    with pytest.raises(guard.TargetRefused, match="cannot be resolved"):
        guard.check("https://no-such-host.invalid/hook")
    allowed = guard.allowed_networks("127.0.0.0/8,::1/128")
    assert guard.check("http://localhost:9/hook", allowed).address.is_loopback


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "https://user:pw@example.com/", "example.com/hook", "https://", "http://a b/"],
)
def test_urls_that_are_not_targets(url: str) -> None:
    from portal.errors import InvalidInput

    with pytest.raises((InvalidInput, guard.TargetRefused)):
        guard.check(url)


def test_a_send_goes_to_the_checked_address_under_the_hosts_name() -> None:
    from portal.notify.webhooks.sending import _pinned

    target = guard.Target(
        "https://hooks.example.com/in?x=1",
        "https",
        "hooks.example.com",
        443,
        ipaddress.ip_address("93.184.216.34"),
    )
    assert _pinned(target) == ("https://93.184.216.34:443/in?x=1", "hooks.example.com")
    v6 = guard.Target(
        "http://[2606:2800::1]:8080/", "http", "2606:2800::1", 8080, ipaddress.ip_address("2606:2800::1")
    )
    assert _pinned(v6) == ("http://[2606:2800::1]:8080/", "[2606:2800::1]:8080")
