"""`python -m safeplan.web api_token USERNAME --name "Power BI"`: make an API token for a
user and print its key, the only time it is shown."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeplan.web.accounts.access import role_of
from safeplan.web.api.models import Token
from safeplan.web.audit.trail import record


class Command(BaseCommand):
    help = "Make an API token for a user and print its key once"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API token", help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or role_of(user) is None:
            raise CommandError(f"no active user with a role is called {options['username']!r}")
        token, key = Token.issue(user, options["name"])
        record("system", "api-token", user.get_username(), {"token": token.pk, "name": token.name})
        self.stdout.write(f"API token {token.name!r} for {user.get_username()}: {key}")
        self.stdout.write("Send it as: Authorization: Bearer <the key>. It is not shown again.")
