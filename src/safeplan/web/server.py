"""`safeplan serve`: bring the web app's database up to date, then serve it.

Django's development server is enough for a demo on one machine; a deployment runs
``safeplan.web.wsgi:application`` under a WSGI server (gunicorn, uWSGI) behind TLS.
"""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django from SAFEPLAN_* settings (once per process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    from django.core.management import call_command

    setup()
    migrate()
    if ":" in host and not host.startswith("["):  # an IPv6 address
        host = f"[{host}]"
    call_command("runserver", f"{host}:{port}", use_reloader=False)
