"""The web app served for the browser tests, in a process of its own:
``python -m tests.browser.server`` with SAFEPLAN_HOME, SAFEPLAN_STORE and SAFEPLAN_SECRET_KEY
set by the caller (conftest.py).

It brings the web app's database up to date, creates the test users (when the web app has
accounts), binds a free port on 127.0.0.1 and prints ``PORT <n>`` once it is ready to serve.
Django's threaded development server, as ``make demo`` uses, with the production settings
(DEBUG off, the Content-Security-Policy and WhiteNoise for static files).
"""

from __future__ import annotations

import json
import os
from typing import Any

USERS_ENV = "SAFEPLAN_TEST_USERS"  # a JSON list of {"username", "password", ...} to create
# ... each may have "recovery_codes": a list of two-step recovery codes it signs in with


def create_users() -> list[str]:
    """The test users, created through Django's ORM with their role and agency (the agency
    made when it is new). Returns the usernames created."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    wanted: list[dict[str, str]] = json.loads(os.environ.get(USERS_ENV) or "[]")
    user_model = get_user_model()
    made = []
    for spec in wanted:
        fields: dict[str, Any] = dict(spec)
        username, password = fields.pop("username"), fields.pop("password")
        kind = fields.pop("agency_kind", "council")
        codes = fields.pop("recovery_codes", [])
        if "agency" in fields:
            agency_model = apps.get_model("accounts", "Agency")
            fields["agency"], _ = agency_model.objects.get_or_create(
                name=fields["agency"], defaults={"kind": kind}
            )
        user = user_model(username=username, **fields)
        user.set_password(password)
        user.save()
        if codes:  # the second step of signing in, for administrators and analysts
            from django_otp.plugins.otp_static.models import StaticDevice

            device = StaticDevice.objects.create(user=user, name="Recovery codes")
            for code in codes:
                device.token_set.create(token=code)
        made.append(username)
    return made


def create_survey_settings() -> None:
    """The children's survey settings the tests answer through, each with its fixed link
    token (a JSON list of the model's fields in SAFEPLAN_TEST_SURVEY_SETTINGS)."""
    from django.apps import apps

    setting_model = apps.get_model("survey", "Setting")
    for spec in json.loads(os.environ.get("SAFEPLAN_TEST_SURVEY_SETTINGS") or "[]"):
        setting_model.objects.create(**spec)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from safeplan.web.server import migrate, setup

    setup()
    migrate()
    create_users()
    create_survey_settings()
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
