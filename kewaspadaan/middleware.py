import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kewaspadaan.auth import SESSION_LAST_SEEN_KEY, otp_enrolled, otp_required


class PortalLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the user chose English with the language switcher.

    The browser's Accept-Language is ignored on purpose: many officials' phones are set to
    English while the portal's working language, and that of its documents, is Indonesian.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# The last-seen time is written at most this often (seconds): one session write a minute,
# not one per request.
LAST_SEEN_RESOLUTION = 60


class SessionIdleTimeoutMiddleware:
    """Ends a session left idle longer than ``SESSION_IDLE_TIMEOUT`` seconds.

    ``SESSION_COOKIE_AGE`` bounds a session's whole life; this bounds the time a browser
    left open on a shared office computer stays logged in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(SESSION_LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("Your session ended after a period of inactivity. "
                                         "Please log in again."))
            elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


class OTPRequiredMiddleware:
    """THE rule for two-factor login: a user whose role is in ``OTP_REQUIRED_ROLES`` and who
    has not proved a TOTP code in this session reaches nothing but the enrolment and code
    pages, logout, the language switch and static files.

    Pages redirect to the enrolment page (no device yet) or the code page; the API answers
    403. Must follow ``django_otp.middleware.OTPMiddleware`` (which gives ``is_verified``).
    Token-authenticated API clients never carry a session user and are handled by
    ``kewaspadaan.auth.OTPAwareTokenAuthentication``.
    """

    open_prefixes = ("/i18n/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if otp_required(user) and not user.is_verified():
            response = self._refuse(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _refuse(self, request, user):
        path = request.path_info
        open_paths = {reverse("otp_setup"), reverse("otp_verify"), reverse("logout"),
                      reverse("healthz"), reverse("readyz")}
        if path in open_paths or path.startswith((settings.STATIC_URL, *self.open_prefixes)):
            return None
        if path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Two-factor login required: enter the code from your "
                             "authenticator app in the portal first.")},
                status=403,
            )
        target = reverse("otp_verify" if otp_enrolled(user) else "otp_setup")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
