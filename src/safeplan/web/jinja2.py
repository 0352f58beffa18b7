"""The Jinja2 environment for every template: Django's `static` and `url`, the GOV.UK
Frontend macros (govuk-frontend-jinja) under the ``govuk_frontend_jinja/`` prefix, and the
navigation a user may see (``account_nav``).

Django's Jinja2 backend puts ``request``, ``csrf_input`` and ``csrf_token`` in the context of
every template rendered with a request: every form writes ``{{ csrf_input }}``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import localtime
from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, PrefixLoader


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """The path of a named URL, e.g. ``url('public:plan', plan_id=plan.id)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


NAV = (  # (URL name, text, nav key): shown to a user only if they may open the page
    ("partner:dashboard", "Dashboard", "dashboard"),
    ("uploads:upload", "Upload", "upload"),
    ("partner:data-quality", "Data quality", "data-quality"),
    ("returns:calendar", "Data returns", "returns"),
    ("partner:approvals", "Approvals", "approvals"),
    ("editor:plans", "Edit plans", "editor"),
    ("tracker:reminders", "Reminders", "reminders"),
    ("survey:results", "Survey", "survey"),
    ("accounts:people", "People", "people"),
    ("audit:trail", "Audit trail", "audit"),
)


def account_nav(request: Any, current: str | None = None) -> list[dict[str, Any]]:
    """The service navigation's signed-in items, then "Sign in" or "Sign out"."""
    from safeplan.web.accounts.access import permits

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return [
            {"href": url("accounts:sign-in"), "text": "Sign in", "active": current == "sign-in"}
        ]
    items = [
        {"href": url(name), "text": text, "active": current == key}
        for name, text, key in NAV
        if permits(user, name)
    ]
    items.append({"href": url("accounts:sign-out"), "text": "Sign out"})
    return items


def environment(**options: Any) -> Environment:
    own: BaseLoader = options.pop("loader")
    options["loader"] = ChoiceLoader(
        [own, PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = Environment(**options)  # noqa: S701 - Django's backend sets autoescape=True
    env.globals.update(
        static=static,
        url=url,
        account_nav=account_nav,
        localtime=localtime,
        partnership_name=getattr(settings, "PARTNERSHIP_NAME", "SafePlan"),
    )
    return env
