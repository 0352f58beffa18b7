"""The partnership's people: added, changed, invited and deactivated by an administrator,
from the People pages or ``safeplan users``. Never deleted: the audit trail keeps naming who
did what, so a person who leaves is deactivated (they can no longer sign in). Every change
is recorded in the audit trail, with the fields that changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction

from safeplan.web.accounts import mail
from safeplan.web.accounts.models import Agency, Role, User
from safeplan.web.audit.trail import record

FIELDS: Final = ("first_name", "last_name", "email", "agency", "role")


class PersonAction:
    """The audit trail's action names for people."""

    added = "person-added"
    changed = "person-changed"
    deactivated = "person-deactivated"
    reactivated = "person-reactivated"
    invited = "person-invited"


def status(user: User) -> str:
    """What the People list says: deactivated, invited (no password set yet) or active."""
    if not user.is_active:
        return "Deactivated"
    if not user.has_usable_password():
        return "Invited"
    return "Active"


EMAIL_TAKEN: Final = "Someone already has that e-mail address"


def email_taken(address: str, person: User | None = None) -> bool:
    """Is this address another person's? Password resets and single sign-on find a person by
    their e-mail address, so no two people share one (ignoring case)."""
    others = User.objects.filter(email__iexact=address.strip())
    if person is not None:
        others = others.exclude(pk=person.pk)
    return bool(address.strip()) and others.exists()


def _check(user: User) -> None:
    user.full_clean(exclude=["password"])
    if email_taken(user.email, user if user.pk else None):
        raise ValidationError({"email": EMAIL_TAKEN})


def _shown(value: Any) -> str:
    return str(value) if value is not None else ""


@transaction.atomic
def add(actor: Any, username: str, fields: Mapping[str, Any], *, request: Any = None) -> User:
    """A new person with no password: they set one through an invitation."""
    user = User(username=username, **{k: fields[k] for k in FIELDS if k in fields})
    user.set_unusable_password()
    _check(user)
    user.save()
    detail = {k: _shown(getattr(user, k)) for k in FIELDS}
    record(actor, PersonAction.added, username, detail, request=request)
    return user


@transaction.atomic
def change(actor: Any, user: User, fields: Mapping[str, Any], *, request: Any = None) -> bool:
    """Set the fields given; records each that changed (old and new). False if none did."""
    changed = {}
    for name in FIELDS:
        if name in fields and getattr(user, name) != fields[name]:
            changed[name] = [_shown(getattr(user, name)), _shown(fields[name])]
            setattr(user, name, fields[name])
    if not changed:
        return False
    _check(user)
    user.save()
    record(actor, PersonAction.changed, user.get_username(), changed, request=request)
    return True


@transaction.atomic
def deactivate(actor: Any, user: User, *, request: Any = None) -> None:
    """They can no longer sign in, and any session they have ends on its next request (Django
    signs out an inactive user); their name stays in the audit trail."""
    if not user.is_active:
        return
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actor, PersonAction.deactivated, user.get_username(), request=request)


@transaction.atomic
def reactivate(actor: Any, user: User, *, request: Any = None) -> None:
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor, PersonAction.reactivated, user.get_username(), request=request)


def invite(actor: Any, user: User, base_url: str, *, request: Any = None) -> None:
    """E-mail them a single-use, expiring link to set their password (again, if they had one:
    an invitation is also how an administrator resets a password for someone)."""
    if not user.is_active:
        raise ValueError(f"{user.get_username()} is deactivated: reactivate them first")
    if not user.email:
        raise ValueError(f"{user.get_username()} has no e-mail address")
    mail.send_invitation(user, base_url)
    record(actor, PersonAction.invited, user.get_username(), {"email": user.email}, request=request)


def agency_named(name: str) -> Agency:
    """The agency with this name (for the command line), or a ValueError listing them."""
    found = Agency.objects.filter(name__iexact=name).first()
    if found is None:
        names = ", ".join(Agency.objects.values_list("name", flat=True)) or "none yet"
        raise ValueError(f"no agency is called {name!r} (agencies: {names})")
    return found


def role_named(name: str) -> Role:
    try:
        return Role(name)
    except ValueError:
        raise ValueError(f"no role is called {name!r} (roles: {', '.join(Role)})") from None
