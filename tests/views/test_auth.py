"""Authentication: lockout after failed logins, password rules, two-factor login (TOTP) for
analysts, officials, national users and administrators, session expiry and the API."""

from __future__ import annotations

import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from kewaspadaan.middleware import SESSION_LAST_SEEN_KEY
from tests.auth_helpers import REQUIRED_ROLES, enrol, totp_code
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
SETUP = "/accounts/otp/setup/"
VERIFY = "/accounts/otp/verify/"
API = "/api/v1/regions/?level=1"


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def admin_browser(client, admin_user):
    """A second browser, of the administrator made staff (Django's admin)."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    admin = type(client)()
    admin.force_login(admin_user)
    return admin


# --- Lockout (django-axes) ----------------------------------------------------------------

def test_five_failures_lock_the_username_from_that_address(client, operator_pariaman, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = log_in(client, "op.pariaman", "salah-sandi-123")
        assert response.status_code == 200
        assert "Nama pengguna atau kata sandi salah" in response.text
    locked = log_in(client, "op.pariaman", "salah-sandi-123")
    assert locked.status_code == 429
    assert "Login dikunci" in locked.text or "Masuk dikunci" in locked.text
    assert "30 menit" in locked.text
    # Even the right password is refused while locked, and no session is opened.
    again = log_in(client, "op.pariaman")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked for this user; the lock is per username + address.
    assert log_in(client, "op.pariaman", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, operator_pariaman):
    for _ in range(4):
        log_in(client, "op.pariaman", "salah-sandi-123")
    assert log_in(client, "op.pariaman").status_code == 302
    client.logout()
    for _ in range(4):
        assert log_in(client, "op.pariaman", "salah-sandi-123").status_code == 200
    assert log_in(client, "op.pariaman").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(client, operator_pariaman,
                                                                     settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker invents a new left-hand address every time; the proxy appends the real one.
    for n in range(5):
        log_in(client, "op.pariaman", "salah-sandi-123",
               HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
    assert log_in(client, "op.pariaman",
                  HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7").status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # A different real client behind the same proxy is not locked.
    assert log_in(client, "op.pariaman",
                  HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


@pytest.mark.parametrize(("behind", "count", "forwarded", "address"), [
    (False, 1, "198.51.100.1", "10.0.0.5"),              # no proxy: the header is the client's
    (True, 1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
    (True, 2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies appended
    (True, 2, "203.0.113.7", "10.0.0.5"),                # fewer hops than proxies: the socket
])
def test_the_client_address_counts_the_trusted_proxies_from_the_right(
        rf, settings, behind, count, forwarded, address):
    from kewaspadaan.auth import client_ip

    settings.BEHIND_PROXY, settings.TRUSTED_PROXY_COUNT = behind, count
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == address


def test_an_administrator_lifts_the_lock_in_the_admin(client, operator_pariaman, admin_user):
    for _ in range(5):
        log_in(client, "op.pariaman", "salah-sandi-123")
    assert log_in(client, "op.pariaman").status_code == 429
    attempt = AccessAttempt.objects.get(username="op.pariaman")

    admin = admin_browser(client, admin_user)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "op.pariaman" in listing.text
    deleted = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert log_in(client, "op.pariaman").status_code == 302


# --- Password rules -----------------------------------------------------------------------

@pytest.mark.parametrize("password, message", [
    ("Pendek-12ab", "terlalu pendek"),           # 11 characters
    ("password1234", "terlalu umum"),
    ("849302716482", "seluruhnya terdiri dari angka"),
    ("xx-op.pariaman-2024", "nama pengguna"),
])
def test_weak_passwords_are_refused_in_indonesian(operator_pariaman, password, message):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, operator_pariaman)
    assert any(message in m for m in refused.value.messages), refused.value.messages


def test_a_password_with_the_users_name_is_refused(db):
    user = UserFactory(username="budi.h", first_name="Hendrawan", last_name="Saputra")
    for password in ("kopi-HENDRAWAN-pagi", "saputra#Bukittinggi"):
        with pytest.raises(ValidationError):
            validate_password(password, user)
    validate_password("lembah-harau-berkabut-77", user)


def test_changing_the_password_logs_out_every_other_session(client, operator_pariaman):
    other = type(client)()
    other.force_login(operator_pariaman)
    assert other.get("/").status_code == 200
    client.force_login(operator_pariaman)
    before = client.session.session_key
    weak = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "pendek", "new_password2": "pendek"})
    assert weak.status_code == 200 and "terlalu pendek" in weak.text
    changed = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "lembah-harau-berkabut-77",
        "new_password2": "lembah-harau-berkabut-77"})
    assert changed.status_code == 302
    assert client.session.session_key != before
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302  # the other browser is sent to the login page
    assert other.get("/").url.startswith(LOGIN)


# --- Two-factor login ---------------------------------------------------------------------

def test_tests_run_without_the_rule_unless_they_turn_it_on(settings):
    assert settings.OTP_REQUIRED_ROLES == []


def test_the_production_default_requires_the_four_roles():
    from kewaspadaan import settings as production

    assert production.OTP_REQUIRED_ROLES == ["analyst", "official", "national", "admin"]


def test_first_login_of_an_analyst_enrols_then_reaches_the_portal(client, analyst_sumbar,
                                                                   otp_on):
    response = log_in(client, "an.sumbar")
    assert response.status_code == 302
    password_session = client.session.session_key
    # Nothing but the enrolment page until a code is proved.
    for path in ("/", "/incidents/", "/admin/", "/accounts/password/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.url.startswith(SETUP), path
    api = client.get(API)
    assert api.status_code == 403
    assert "dua faktor" in api.json()["detail"]

    page = client.get(SETUP)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=analyst_sumbar)
    assert not device.confirmed
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page.text).group(1)
    from base64 import b32encode
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()

    wrong = client.post(SETUP, {"token": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "Kode itu tidak benar" in wrong.text
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.throttling_failure_count = 0
    device.save()
    done = client.post(SETUP, {"token": totp_code(device), "next": "/incidents/"})
    assert done.status_code == 302 and done.url == "/incidents/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session.session_key != password_session, "session not rotated after OTP"
    assert client.get("/").status_code == 200
    assert client.get(API).status_code == 200


def test_later_logins_ask_for_the_code_after_the_password(client, official_sumbar, otp_on):
    device = enrol(official_sumbar)
    log_in(client, "of.sumbar")
    blocked = client.get("/incidents/?status=new")
    assert blocked.status_code == 302
    assert blocked.url == VERIFY + "?next=%2Fincidents%2F%3Fstatus%3Dnew"
    assert client.get(SETUP).url.startswith(VERIFY)  # no second enrolment
    page = client.get(blocked.url)
    assert page.status_code == 200 and "Masuk dua faktor" in page.text
    assert client.post(VERIFY, {"token": "12345"}).status_code == 200  # not 6 digits
    code = totp_code(device)
    ok = client.post(VERIFY, {"token": code, "next": "/incidents/?status=new"})
    assert ok.status_code == 302 and ok.url == "/incidents/?status=new"
    assert client.get("/incidents/").status_code == 200

    # A code works once: replaying it in another browser is refused.
    thief = type(client)()
    log_in(thief, "of.sumbar")
    replay = thief.post(VERIFY, {"token": code})
    assert replay.status_code == 200
    assert thief.get("/").status_code == 302


def test_an_outside_next_is_not_followed(client, national_user, otp_on):
    device = enrol(national_user)
    log_in(client, "nasional")
    ok = client.post(VERIFY, {"token": totp_code(device), "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok.url == "/"


def test_wrong_codes_are_throttled(client, admin_user, otp_on):
    device = enrol(admin_user)
    log_in(client, "sysadmin")
    right = totp_code(device)
    wrong = "000000" if right != "000000" else "111111"
    client.post(VERIFY, {"token": wrong})
    throttled = client.post(VERIFY, {"token": totp_code(device)})
    assert "Terlalu banyak kode salah" in throttled.text
    assert client.get("/").status_code == 302


def test_operators_log_in_with_a_password_only(client, operator_pariaman, otp_on):
    assert log_in(client, "op.pariaman").status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(API).status_code == 200


def test_the_two_factor_pages_send_other_roles_home(client, operator_pariaman, otp_on):
    client.force_login(operator_pariaman)
    for path in (SETUP, VERIFY):
        response = client.get(path)
        assert response.status_code == 302 and response.url == "/"
    assert not TOTPDevice.objects.exists()


def test_an_administrator_resets_a_lost_authenticator(client, analyst_sumbar, admin_user,
                                                      otp_on):
    device = enrol(analyst_sumbar)
    admin = admin_browser(client, admin_user)
    enrol(admin_user)
    log_in(admin, "sysadmin")
    admin.post(VERIFY, {"token": totp_code(TOTPDevice.objects.get(user=admin_user))})
    deleted = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(user=analyst_sumbar).exists()
    log_in(client, "an.sumbar")
    assert client.get("/").url.startswith(SETUP)  # the next login enrols a new phone


def test_logout_stays_open_to_an_unverified_user(client, analyst_sumbar, otp_on):
    log_in(client, "an.sumbar")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_token_of_a_two_factor_role_works_only_once_enrolled(api_client, analyst_sumbar,
                                                               operator_pariaman, otp_on):
    token = Token.objects.create(user=analyst_sumbar)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = api_client.get(API)
    assert refused.status_code == 401
    assert "dua faktor" in refused.json()["detail"]
    enrol(analyst_sumbar)
    assert api_client.get(API).status_code == 200
    operator_token = Token.objects.create(user=operator_pariaman)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {operator_token.key}")
    assert api_client.get(API).status_code == 200


def test_no_endpoint_hands_out_tokens_for_a_password(client, operator_pariaman):
    from django.urls import get_resolver

    names = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not any("token" in n for n in names)
    assert not Token.objects.exists()


def test_demo_totp_enrols_the_demo_logins_and_prints_their_code(db, settings, capsys):
    settings.OTP_REQUIRED_ROLES = REQUIRED_ROLES
    analyst = UserFactory(username="analis.demo", role="analyst", jurisdiction_code="13",
                          is_demo=True)
    operator = UserFactory(username="op.demo", role="operator", is_demo=True)
    # A demo official who left an enrolment half done: the leftover gives way to a device.
    official = UserFactory(username="pejabat.demo", role="official", is_demo=True)
    TOTPDevice.objects.create(user=official, name="authenticator", confirmed=False)
    call_command("demo_totp", enrol=True)
    assert "2 enrolled" in capsys.readouterr().out
    call_command("demo_totp", enrol=True)  # idempotent
    assert "0 enrolled" in capsys.readouterr().out
    device = TOTPDevice.objects.get(user=analyst)
    assert device.confirmed
    assert list(TOTPDevice.objects.filter(user=official).values_list("confirmed", flat=True)) \
        == [True]
    assert not TOTPDevice.objects.filter(user=operator).exists()
    capsys.readouterr()
    call_command("demo_totp", "analis.demo")
    printed = capsys.readouterr().out.strip()
    assert printed in {totp_code(device), totp_code(device, offset_steps=-1)}


def test_demo_totp_refuses_outside_demo_mode(db, settings):
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_totp", "admin")


# --- Session expiry -----------------------------------------------------------------------

def test_an_idle_session_ends(client, operator_pariaman, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(operator_pariaman)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200  # 29 minutes idle: still in
    session = client.session
    session[SESSION_LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert "tidak aktif" in client.get(response.url).text


def test_the_session_key_changes_at_login(client, operator_pariaman):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    log_in(client, "op.pariaman")
    assert client.session.session_key != before
    # The idle clock starts at login: the next requests need not write the session.
    assert abs(client.session[SESSION_LAST_SEEN_KEY] - time.time()) < 5


def test_session_and_cookie_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


# --- Headers and Content Security Policy --------------------------------------------------

def test_pages_carry_a_strict_content_security_policy(client, operator_pariaman):
    client.force_login(operator_pariaman)
    for path in (LOGIN, "/"):
        response = client.get(path)
        policy = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["img-src"] == "'self' data:"
        assert policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_swagger_relaxes_only_styles_and_its_script_is_a_file(client, operator_pariaman):
    client.force_login(operator_pariaman)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"
    assert re.search(r"<script>\s*\S", response.text) is None, "inline script in Swagger UI"


def test_the_browsable_api_alone_allows_inline_styles(client, operator_pariaman):
    client.force_login(operator_pariaman)
    html = client.get(API, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "style-src 'self' 'unsafe-inline'" in html["Content-Security-Policy"]
    assert "script-src 'self';" in html["Content-Security-Policy"] + ";"
    data = client.get(API, HTTP_ACCEPT="application/json")
    assert "style-src 'self';" in data["Content-Security-Policy"] + ";"


def test_templates_have_no_inline_script_handler_or_style():
    """What the policy would block: inline <script> code, on*= handlers, style= attributes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*="):
            if re.search(pattern, text):
                offenders.append(f"{template.relative_to(root)}: {pattern}")
    assert not offenders, offenders


def test_production_settings_are_secure(settings):
    from kewaspadaan import settings as production

    assert production.SECURE_CSP["script-src"] == ["'self'"]
    assert "axes.middleware.AxesMiddleware" == production.MIDDLEWARE[-1]
    assert production.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    order = production.MIDDLEWARE
    assert (order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
            < order.index("django_otp.middleware.OTPMiddleware")
            < order.index("kewaspadaan.middleware.OTPRequiredMiddleware"))


# --- Configuration from the environment ---------------------------------------------------

@pytest.mark.parametrize(("value", "printed"), [
    (None, "['analyst', 'official', 'national', 'admin']"),
    ("analyst,admin", "['analyst', 'admin']"),
    ("none", "[]"),
])
def test_the_two_factor_roles_come_from_the_environment(value, printed):
    from tests.unit.test_env import PROD_ENV, run_manage

    env_vars = dict(PROD_ENV) if value is None else {**PROD_ENV, "OTP_REQUIRED_ROLES": value}
    result = run_manage("shell", "-c",
                        "from django.conf import settings; print(settings.OTP_REQUIRED_ROLES)",
                        env_vars=env_vars)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == printed


def test_an_unknown_two_factor_role_stops_start_up():
    from tests.unit.test_env import PROD_ENV, run_manage

    result = run_manage("check", env_vars={**PROD_ENV, "OTP_REQUIRED_ROLES": "analyst,boss"})
    assert result.returncode != 0
    assert "OTP_REQUIRED_ROLES may only name these roles" in result.stderr
