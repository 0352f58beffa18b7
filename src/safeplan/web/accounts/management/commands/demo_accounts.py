"""`python -m safeplan.web demo_accounts`: make the demo agencies and one user per role, and
print their new random passwords."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from safeplan.web.accounts.demo import create_demo_accounts


class Command(BaseCommand):
    help = "Create demo agencies and users (one per role) with new random passwords."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        users = create_demo_accounts()
        self.stdout.write("Demo accounts (passwords are new each run; sign in at /sign-in/):")
        for user in users:
            self.stdout.write(
                f"  {user.role.label:<20} {user.username:<18} {user.password}  ({user.agency})"
            )
