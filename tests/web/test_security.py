"""Security headers on every response, pages and static files alike; static assets built."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from safeplan.web import security

STATIC = Path(security.__file__).parent / "static"


@pytest.mark.parametrize(
    "path", ["/", "/plans/durham-lscb-2017-2020/", "/plans/unknown/", "/static/safeplan/init.mjs"]
)
def test_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    response.close()  # a static file's response holds the file open until closed
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_https_deployments_upgrade_requests() -> None:
    assert "upgrade-insecure-requests" in security.content_security_policy(https=True)
    assert "upgrade-insecure-requests" not in security.content_security_policy()


def test_the_govuk_assets_are_built_without_the_govuk_font(client: Client) -> None:
    css_file = STATIC / "govuk" / "govuk-frontend.min.css"
    assert css_file.is_file(), "`make assets` builds it (make install and make test run it)"
    css = css_file.read_text(encoding="utf-8")
    assert ".govuk-service-navigation" in css and ".govuk-generic-header" in css
    assert "GDS Transport" not in css and "@font-face" not in css
    assert (STATIC / "govuk" / "govuk-frontend.min.js").is_file()
    response = client.get("/static/govuk/govuk-frontend.min.css")
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    script = client.get("/static/govuk/govuk-frontend.min.js")
    script.close()
    assert script.status_code == 200 and "javascript" in script["Content-Type"]


def test_the_start_script_is_a_module_that_starts_govuk_frontend(client: Client) -> None:
    response = client.get("/static/safeplan/init.mjs")
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]  # module scripts need a JavaScript type
    source = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    response.close()
    assert "import { initAll } from '../govuk/govuk-frontend.min.js'" in source
    assert "govuk-frontend-supported" in source
