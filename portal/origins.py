"""Whether a request comes from the portal's own pages: the one check behind the portal's forms
(CSRF, `portal.web.sessions.origin_allowed`) and the session cookie on /graphql, HTTP and
WebSocket (`portal.auth.authenticate`: cross-site WebSocket hijacking).

An origin is the portal's own when its host (and port) is the request's ``Host`` (a reverse proxy
passes the public host on, docs/deploy.md), or when it is the origin of ``PORTAL_BASE_URL`` or one
of ``PORTAL_ALLOWED_ORIGINS`` (a proxy that rewrites ``Host``, a second public name). ``null`` (a
sandboxed page, a redirect chain) is never the portal's own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from portal.config import Settings

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (lower case, default port left out); None if it
    has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host.lower()}{shown}"


def trusted_origins(settings: Settings | None) -> frozenset[str]:
    """The origins the configuration names: ``PORTAL_BASE_URL``'s and ``PORTAL_ALLOWED_ORIGINS``."""
    if settings is None:
        return frozenset()
    named = [settings.base_url or "", *settings.allowed_origins]
    return frozenset(origin for url in named if (origin := origin_of(url)) is not None)


def is_own(value: str, host: str, trusted: frozenset[str]) -> bool:
    """Whether ``value`` (an Origin, or a Referer URL) names the portal reached at ``host``."""
    if value.strip() == "null":
        return False
    origin = origin_of(value)
    if origin is None:
        return False
    if origin in trusted:
        return True
    netloc = value.strip().split("://", 1)[-1].split("/", 1)[0]
    return bool(host) and netloc.lower() == host.lower()


def settings_of(connection: HTTPConnection) -> Settings | None:
    app = connection.scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return settings if isinstance(settings, Settings) else None


def foreign_origin(connection: HTTPConnection) -> str | None:
    """The request's Origin header when it names another site than the portal, else None (no
    Origin: not sent by a browser's cross-site request, nothing to refuse)."""
    origin = connection.headers.get("origin")
    if origin is None:
        return None
    host = connection.headers.get("host", "")
    return None if is_own(origin, host, trusted_origins(settings_of(connection))) else origin
