"""Login, two-factor (TOTP) enrolment and verification, password change.

Who must pass the second step is decided by ``kewaspadaan.auth.otp_required`` and enforced
by ``kewaspadaan.middleware.OTPRequiredMiddleware``; these views only run the steps.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kewaspadaan.auth import otp_enrolled, otp_required
from kewaspadaan.forms import LoginForm, OTPTokenForm, PortalPasswordChangeForm

DEVICE_NAME = "authenticator"


class LoginView(auth_views.LoginView):
    """Password step. ``django.contrib.auth.login`` rotates the session key; a user who must
    use two-factor login is then sent to the code (or enrolment) page by the middleware."""

    authentication_form = LoginForm
    redirect_authenticated_user = True


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request, device) -> None:
    """Marks the session as two-factor verified under a fresh session key."""
    otp_login(request, device)
    request.session.cycle_key()


def _code_accepted(request, form, device) -> bool:
    """Whether a POST carries the device's current code; a refusal is put on the form
    (throttled after wrong codes, or simply wrong)."""
    if request.method != "POST" or not form.is_valid():
        return False
    if not device.verify_is_allowed()[0]:
        form.add_error("token", _("Too many wrong codes. Wait a moment before trying again."))
    elif device.verify_token(form.cleaned_data["token"]):
        return True
    else:
        form.add_error("token", _("That code is not right. Enter the current 6-digit "
                                  "code from your authenticator app."))
    return False


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request):
    """First login of a user who must use two-factor login: a QR code (and the secret as
    text) for an authenticator app, then one code to confirm."""
    user = request.user
    if not otp_required(user):
        # Only the roles of OTP_REQUIRED_ROLES are asked for a code: an enrolment by anyone
        # else would promise a protection the login does not give.
        return redirect(_next_url(request))
    if otp_enrolled(user):
        return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = OTPTokenForm(request.POST or None)
    if _code_accepted(request, form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _verified(request, device)
        messages.success(request, _("Two-factor login is set up."))
        return redirect(_next_url(request))
    secret = b32encode(device.bin_key).decode()
    return render(request, "registration/otp_setup.html", {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
    })


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request):
    """Second step of every later login: the current 6-digit code."""
    if not otp_required(request.user):
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("otp_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OTPTokenForm(request.POST or None)
    if _code_accepted(request, form, device):
        _verified(request, device)
        return redirect(_next_url(request))
    return render(request, "registration/otp_verify.html",
                  {"form": form, "next": _next_url(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password keeps this session (Django updates its hash) and ends every
    other session of the user: their stored hash no longer matches."""

    form_class = PortalPasswordChangeForm
    template_name = "registration/password_change.html"

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form):
        response = super().form_valid(form)
        # Stay verified under a fresh key in this session: the password changed.
        self.request.session.cycle_key()
        messages.success(self.request, _("Your password was changed. Every other session of "
                                         "your account has been logged out."))
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login from a locked username+address (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes},
                  status=429)
