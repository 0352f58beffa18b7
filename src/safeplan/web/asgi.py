"""ASGI entry point for a production server, e.g. ``uvicorn safeplan.web.asgi:application``."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
application = get_asgi_application()
