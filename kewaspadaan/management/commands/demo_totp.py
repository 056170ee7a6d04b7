import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kewaspadaan.auth_views import DEVICE_NAME
from kewaspadaan.models import User


class Command(BaseCommand):
    help = (
        "Demo mode only. `demo_totp USERNAME` prints the current two-factor code of a demo "
        "login; `demo_totp --enrol` gives every demo login whose role needs two-factor login "
        "an authenticator (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--enrol", action="store_true",
                            help="enrol the demo logins of the roles in OTP_REQUIRED_ROLES")

    def handle(self, *args, username=None, enrol=False, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_totp only runs with DEMO_MODE=true, never in production.")
        if enrol:
            return self._enrol()
        if not username:
            raise CommandError("Give a demo username, for example: demo_totp analis.sumbar")
        user = User.objects.filter(username=username, is_demo=True).first()
        if user is None:
            raise CommandError(f"No demo login named {username!r}.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator: run `demo_totp --enrol`.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        left = device.step - int(totp.time - device.t0) % device.step
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(f"(valid for {left} more seconds)")

    def _enrol(self):
        users = User.objects.filter(
            is_demo=True, role__in=settings.OTP_REQUIRED_ROLES).order_by("username")
        missing = list(users.exclude(totpdevice__confirmed=True))
        TOTPDevice.objects.filter(user__in=missing).delete()  # unconfirmed leftovers
        for user in missing:
            TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        names = ", ".join(users.values_list("username", flat=True))
        self.stdout.write(self.style.SUCCESS(f"Demo two-factor login: {len(missing)} enrolled."))
        if names:
            self.stdout.write(
                f"  These demo logins ask for a 6-digit code after the password: {names}.\n"
                "  Get the current code with:  ./dev manage demo_totp USERNAME"
            )
