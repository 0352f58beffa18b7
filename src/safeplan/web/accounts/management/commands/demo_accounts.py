"""`python -m safeplan.web demo_accounts`: make the demo agencies and every role at each
statutory partner, and print their new random passwords (and, for administrators and
analysts, the second step: recovery codes and the authenticator app's key)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from safeplan.web.accounts.demo import create_demo_accounts


class Command(BaseCommand):
    help = "Create demo agencies and people (every role at each statutory partner)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        users = create_demo_accounts()
        self.stdout.write("Demo accounts (passwords are new each run; sign in at /sign-in/):")
        for user in users:
            self.stdout.write(
                f"  {user.role.label:<20} {user.username:<20} {user.password}  ({user.agency})"
            )
            if user.codes:
                self.stdout.write(
                    f"  {'':<20} {'':<20} second step: a recovery code, each once: "
                    f"{' '.join(user.codes)}; or an authenticator app with the key {user.app_key}"
                )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"E-mail (invitations, password resets, reminders) is written to "
                f"{settings.EMAIL_FILE_PATH}, not sent."
            )
