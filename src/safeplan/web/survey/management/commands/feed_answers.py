"""`python -m safeplan.web feed_answers`: move the children's answers still waiting in the web
app's database to the store (after a long load, or from cron). Each is stored exactly once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safeplan.config import settings
from safeplan.web.survey import answers


class Command(BaseCommand):
    help = "Store the survey's answers that are waiting for the store"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=None,
            help="Seconds to wait for a busy store (default SAFEPLAN_STORE_WAIT)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wait = settings().store_wait if options["wait"] is None else options["wait"]
        stored = answers.feed(wait=wait)
        left = answers.waiting()
        self.stdout.write(f"{stored:,} answers stored; {left:,} still waiting")
        if left:
            raise CommandError("the store stayed busy: run it again when the load has finished")
