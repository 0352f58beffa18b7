"""Django's management commands for the web app: ``python -m safeplan.web migrate`` etc."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeplan.web.settings")
    execute_from_command_line([f"{sys.executable} -m safeplan.web", *sys.argv[1:]])


if __name__ == "__main__":
    main()
