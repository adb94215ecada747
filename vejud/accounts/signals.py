"""Keep each login's bookkeeping in step with Django's login and logout."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from vejud.accounts.middleware import LOGIN_AT_KEY
from vejud.accounts.models import User
from vejud.accounts.services import user_session_mark_ended, user_session_start


@receiver(user_logged_in, dispatch_uid="vejud_accounts_logged_in")
def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Start the absolute session clock and record the session for the sessions page."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LOGIN_AT_KEY] = time.time()
    user_session_start(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="vejud_accounts_logged_out")
def on_logged_out(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Mark the session ended (Django flushes it right after this signal)."""
    if request is None or not hasattr(request, "session"):
        return
    user_session_mark_ended(session_key=request.session.session_key)
