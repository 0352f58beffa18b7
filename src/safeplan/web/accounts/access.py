"""Who may see each page: the one access-control mechanism, deny by default.

Every view declares its audience with ``@allow(Role.analyst, Role.admin)`` (signed-in users
with one of those roles) or ``@public`` (anyone, no account). ``AccessPolicyMiddleware``
refuses any view that declares neither, so a page added without a declaration is closed, not
open; the access-matrix test (tests/web/test_access_matrix.py) walks every URL as every role.

An anonymous visitor on a signed-in page is sent to sign in; a signed-in user whose role is
not allowed gets the 403 page. ``permits(user, "partner:dashboard")`` answers the same
question for links (the navigation shows only pages the user may open).

**Need to know.** Pseudonymised child-level data is still personal data, so the pages that
show it (the records behind a figure, an upload's outcome, a load's findings) are open to the
analysts of the agency that supplied the data and to the partnership's administrators;
other agencies see the aggregates. ``SAFEPLAN_SHARE_RECORDS=1`` opens them to every
agency's analysts, where the partners' data-sharing agreement says so. ``may_see_records``
is the one test; the views call it with the supplying agency.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, Final, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, resolve, reverse

from safeplan.web.accounts.models import Role

log = logging.getLogger(__name__)

ATTRIBUTE: Final = "safeplan_access"
PUBLIC: Final = "public"
EVERY_ROLE: Final = frozenset(Role)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def public(view: View) -> View:
    """Anyone may open this page, signed in or not."""
    setattr(view, ATTRIBUTE, PUBLIC)
    return view


def allow(*roles: Role) -> Callable[[View], View]:
    """Only signed-in users with one of these roles may open this page."""
    if not roles:
        raise ValueError("name at least one role (or use @public)")
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(user) not in allowed:
                return forbidden(request)
            return view(request, *args, **kwargs)

        setattr(guarded, ATTRIBUTE, allowed)
        return guarded  # type: ignore[return-value]

    return decorate


def role_of(user: Any) -> Role | None:
    """The user's role, or None for the public (and for a user with no valid role)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    try:
        return Role(getattr(user, "role", ""))
    except ValueError:
        return None


def policy_of(view: Callable[..., Any]) -> str | frozenset[Role] | None:
    """What a view declared: PUBLIC, a set of roles, or None (undeclared: refused)."""
    declared = getattr(view, ATTRIBUTE, None)
    if declared is None and hasattr(view, "view_class"):
        declared = getattr(view.view_class, ATTRIBUTE, None)
    return declared


def permits(user: Any, name: str, **kwargs: Any) -> bool:
    """May this user open the named page (e.g. ``"audit:trail"``)?"""
    try:
        view = resolve(reverse(name, kwargs=kwargs or None)).func
    except NoReverseMatch:
        return False
    policy = policy_of(view)
    if policy == PUBLIC:
        return True
    return isinstance(policy, frozenset) and role_of(user) in policy


def may_see_records(user: Any, supplier: str) -> bool:
    """May this user see child-level data supplied by an agency of kind ``supplier``?"""
    from django.conf import settings

    role = role_of(user)
    if role is Role.admin:
        return True
    if role is not Role.analyst:
        return False
    agency = getattr(user, "agency", None)
    return bool(settings.SHARE_RECORDS) or (agency is not None and agency.kind == supplier)


def supplier_of(kind: str) -> str:
    """The kind of agency that supplies a load of this kind: the council the statutory
    returns, each partner template the agency it is asked of."""
    from safeplan.ingest.templates import TEMPLATES
    from safeplan.vocabulary import AgencyKind

    template = TEMPLATES.get(kind.removeprefix("partner:"))
    if kind.startswith("partner:") and template is not None:
        return str(AgencyKind(template.agency))
    return str(AgencyKind.council)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The GOV.UK-style "You do not have permission" page (also Django's handler403)."""
    return render(request, "403.html", status=403)


class AccessPolicyMiddleware:
    """Refuses any view that declared no policy (deny by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if policy_of(view) is None:
            log.error("refused %s: its view %r declares no access policy", request.path, view)
            return forbidden(request)
        return None
