"""Authentication policy: who must prove a second factor, the client address behind the
proxy, the password rule on personal data, and token authentication for machine clients.

The one place that enforces two-factor login for people in a browser is
``kewaspadaan.middleware.OTPRequiredMiddleware``; this module only answers questions.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

# When the session last saw a request (kewaspadaan.middleware.SessionIdleTimeoutMiddleware).
SESSION_LAST_SEEN_KEY = "kw_last_seen"


def stamp_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the idle clock starts at login, so the first requests
    after it do not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LAST_SEEN_KEY] = int(time.time())


def otp_required(user) -> bool:
    """True when this user's role must log in with a TOTP code (``OTP_REQUIRED_ROLES``)."""
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "role", None) in settings.OTP_REQUIRED_ROLES
    )


def otp_enrolled(user) -> bool:
    """True when the user has a confirmed TOTP device."""
    return user_has_device(user, confirmed=True)


def client_ip(request) -> str:
    """The client's address: the one derivation for the login lockout (django-axes'
    ``AXES_CLIENT_IP_CALLABLE``) and for anything else that records who called, such as
    the access log of confidential incidents.

    Behind the proxy the settings trust (``BEHIND_PROXY``), the address is the one the
    proxy appended to ``X-Forwarded-For`` (``TRUSTED_PROXY_COUNT`` hops from the right):
    entries further left are written by the client and would let an attacker pick a fresh
    address for every guess. Without a proxy it is the socket's address.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.BEHIND_PROXY:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    count = settings.TRUSTED_PROXY_COUNT
    if len(hops) >= count:
        return hops[-count]
    return remote


class PersonalDataPasswordValidator:
    """Refuses a password that contains the user's username, first or last name (four
    letters or more), whatever the case: those are the first guesses of anyone who knows
    whose account it is."""

    minimum = 4

    def validate(self, password, user=None):
        if user is None:
            return
        lowered = password.lower()
        for attribute in ("username", "first_name", "last_name"):
            value = (getattr(user, attribute, "") or "").lower()
            parts = {value, *value.replace(".", " ").replace("_", " ").split()}
            if any(len(p) >= self.minimum and p in lowered for p in parts):
                raise ValidationError(
                    _("The password must not contain your username or your name."),
                    code="password_contains_personal_data",
                )

    def get_help_text(self):
        return _("Your password must not contain your username or your name.")


class OTPAwareTokenAuthentication(TokenAuthentication):
    """DRF token authentication for machine clients (``Authorization: Token ...``).

    Tokens are issued only by an administrator (Django admin, "Tokens"); no endpoint hands
    them out for a password. A token stands for its user without a second factor, so for a
    role that must use two-factor login it is accepted only once that user has enrolled a
    TOTP device: an account that never proved a second factor cannot be driven by a token.
    """

    keyword = "Token"
    not_enrolled = gettext_lazy(
        "This account must set up two-factor login before its API token can be used."
    )

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if otp_required(user) and not otp_enrolled(user):
            raise AuthenticationFailed(self.not_enrolled)
        return user, token
