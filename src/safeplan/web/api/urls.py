"""The API's URLs (mounted at /api/ by safeplan.web.urls). Each endpoint decides for itself
what the public and partners see (``routes.partner``), so every view of the API is declared
public to the access policy."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern

from safeplan.web.accounts.access import public
from safeplan.web.api.routes import api


def urls() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            public(pattern.callback)
    return patterns, app_name, namespace
