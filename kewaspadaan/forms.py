from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form with labels and hints for phones (no auto-capitalised user names)."""

    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive."),
        "inactive": _("This account is inactive. Contact your administrator."),
    }

    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocapitalize": "none", "autocomplete": "username",
                   "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPTokenForm(forms.Form):
    """The 6-digit code of an authenticator app (spaces tolerated, as apps show them)."""

    token = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric",
                   "pattern": "[0-9 ]*", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("The code is 6 digits, for example 123456."))
        return token


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change form; the rules are ``AUTH_PASSWORD_VALIDATORS``."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("Your current password is not right. Please try again."),
    }
