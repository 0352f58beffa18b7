"""The Jinja2 environment for every template: Django's `static` and `url`, and the GOV.UK
Frontend macros (govuk-frontend-jinja) under the ``govuk_frontend_jinja/`` prefix."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, PrefixLoader


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """The path of a named URL, e.g. ``url('public:plan', plan_id=plan.id)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
        partnership_name=getattr(settings, "PARTNERSHIP_NAME", "SafePlan"),
    )
    return env
