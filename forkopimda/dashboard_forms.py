"""The dashboards' period controls (election stage, day, coverage-gap threshold)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from forkopimda.dashboard_selectors import Period


class DashboardPeriodForm(forms.Form):
    stage = forms.CharField(label=_("Stage"), required=False)
    day = forms.DateField(
        label=_("As of"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    gap = forms.IntegerField(
        label=_("No reports for (days)"), required=False, min_value=1, max_value=365,
        error_messages={"min_value": _("Enter a number of days from 1 to 365."),
                        "max_value": _("Enter a number of days from 1 to 365."),
                        "invalid": _("Enter a number of days from 1 to 365.")},
    )

    def value(self, name: str):
        """The cleaned value of a valid field (an invalid one falls back to its default)."""
        self.is_valid()
        return self.cleaned_data.get(name) or None

    def check_stage(self, period: Period) -> None:
        raw = self.data.get("stage")
        if raw and raw not in {s.slug for s in period.stages}:
            self.add_error("stage", _("Pick one of the election's stages."))
