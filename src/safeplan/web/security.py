"""Security headers Django 5.2 does not send itself: a Content-Security-Policy with no inline
script or style, a Permissions-Policy, and framing refused on every response (static files
included, since this runs before WhiteNoise).

Why no 'unsafe-inline': a script injected into a page cannot run. GOV.UK Frontend is
started from a module file (static/safeplan/init.mjs), not from an inline script.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def content_security_policy(https: bool = False) -> str:
    parts = [f"{name} {value}" for name, value in CSP.items()]
    if https:
        parts.append("upgrade-insecure-requests")
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Adds the headers to each response, leaving any a view set on purpose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy(bool(getattr(settings, "SECURE_SSL_REDIRECT", False)))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault(
            "Referrer-Policy", settings.SECURE_REFERRER_POLICY or "same-origin"
        )
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
