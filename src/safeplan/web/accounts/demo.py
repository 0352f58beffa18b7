"""Demo agencies and people for `make demo`: every role at each of the three statutory
partners (the council, the ICB, the police), each with a new random password printed once
(nothing is hard-coded; running it again gives new passwords).

Administrators and analysts sign in with a second step. So that the demo needs no phone,
each of theirs is given an authenticator-app key (printed, to add to an app by hand if
wanted) and five recovery codes (printed: each signs in once); running the demo again gives
new ones."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeplan.web.accounts import twostep
from safeplan.web.accounts.models import Agency, AgencyKind, Role, User
from safeplan.web.audit.trail import record

AGENCIES = (
    ("Demo County Council", AgencyKind.council),
    ("Demo Integrated Care Board", AgencyKind.health),
    ("Demo Police", AgencyKind.police),
    ("Demo Schools", AgencyKind.schools),
    ("Demo Voluntary Sector Forum", AgencyKind.voluntary),
)
PARTNERS = (  # the statutory partners: username prefix, agency
    ("council", "Demo County Council"),
    ("icb", "Demo Integrated Care Board"),
    ("police", "Demo Police"),
)
USERS = tuple(  # username, role, agency
    (f"{prefix}-{role.value}", role, agency) for prefix, agency in PARTNERS for role in Role
)
DEMO_CODES = 5
MAIL_DOMAIN = "partnership.example"  # reserved for examples: nothing is ever delivered there


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    agency: str
    password: str
    app_key: str = ""  # the authenticator app's key, base32 (administrators and analysts)
    codes: list[str] = field(default_factory=list)  # recovery codes, each signs in once


def new_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


def _second_step(user: User) -> tuple[str, list[str]]:
    TOTPDevice.objects.filter(user=user).delete()
    app = TOTPDevice.objects.create(user=user, name=twostep.APP, confirmed=True)
    codes = twostep.new_recovery_codes(user)[:DEMO_CODES]
    return twostep.secret_text(app).replace(" ", ""), codes


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
        user.first_name, user.last_name = agency.removeprefix("Demo "), role.label
        user.email = f"{username}@{MAIL_DOMAIN}"
        user.set_password(password)
        user.save()
        key, codes = _second_step(user) if twostep.required(user) else ("", [])
        made.append(DemoUser(username, role, agency, password, key, codes))
    record("system", "demo-accounts", "", {"users": [u.username for u in made]})
    return made
