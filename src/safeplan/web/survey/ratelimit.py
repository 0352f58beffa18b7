"""The survey's rate limit: at most PER_HOUR surveys an hour from one address to one setting.

Why not accounts/ratelimit.py: that limiter reads the audit trail, which keeps every entry's
address for good. A child's survey must leave no lasting trace of where it came from, so this
counter keeps only a keyed hash of the address and the setting (HMAC with the app's secret
key: no address can be recovered or tested without it), is never linked to the answers, and
forgets each entry after an hour.

Why as many as 100: a school's children all reach the internet through one address, and a
class or two may answer in the same lesson.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from safeplan.web.audit.trail import client_ip
from safeplan.web.survey.models import Attempt, Setting

WINDOW: Final = timedelta(hours=1)
PER_HOUR: Final = 100


def sender_key(request: HttpRequest, setting: Setting) -> str:
    """A keyed hash of the sender's address and the setting."""
    text = f"survey|{client_ip(request) or 'unknown'}|{setting.pk}"
    return hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def admit(request: HttpRequest, setting: Setting) -> bool:
    """Counts this survey against the limit; False when the sender has reached it."""
    now = timezone.now()
    Attempt.objects.filter(at__lt=now - WINDOW).delete()  # nothing is kept past the hour
    key = sender_key(request, setting)
    if Attempt.objects.filter(key=key).count() >= PER_HOUR:
        return False
    Attempt.objects.create(key=key, at=now)
    return True
