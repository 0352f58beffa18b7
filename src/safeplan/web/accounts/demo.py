"""Demo agencies and users for `make demo`: one user per role, each with a new random password
printed once (nothing is hard-coded; running it again gives new passwords)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from safeplan.web.accounts.models import Agency, AgencyKind, Role, User
from safeplan.web.audit.trail import record

AGENCIES = (
    ("Demo County Council", AgencyKind.council),
    ("Demo Integrated Care Board", AgencyKind.health),
    ("Demo Police", AgencyKind.police),
    ("Demo Schools", AgencyKind.schools),
    ("Demo Voluntary Sector Forum", AgencyKind.voluntary),
)
USERS = (  # username, role, agency
    ("demo-admin", Role.admin, "Demo County Council"),
    ("demo-analyst", Role.analyst, "Demo County Council"),
    ("demo-contributor", Role.contributor, "Demo Police"),
    ("demo-board", Role.board, "Demo Integrated Care Board"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    agency: str
    password: str


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


@transaction.atomic
def create_demo_accounts() -> list[DemoUser]:
    agencies = {
        name: Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
        for name, kind in AGENCIES
    }
    made = []
    for username, role, agency in USERS:
        password = new_password()
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.agency, user.is_active = role, agencies[agency], True
        user.set_password(password)
        user.save()
        made.append(DemoUser(username, role, agency, password))
    record("system", "demo-accounts", "", {"users": [u.username for u in made]})
    return made
