"""The security headers of every page the server draws (the portal's pages and the GraphiQL page):
no content sniffing, no framing, no referrer to other sites, and a strict content security policy
(scripts, styles and images from this server only)."""

from __future__ import annotations

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
]
