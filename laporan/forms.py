"""Forms of the incident pages. They parse and present; every rule lives in the services,
whose ``ValidationError`` is mapped back onto these fields (``add_service_errors``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kewaspadaan import selectors as core
from kewaspadaan.choices import Athg, Classification, RegionLevel, Role
from kewaspadaan.models import Indicator, Institution, Region, User
from kewaspadaan.scoping import region_q
from laporan import services
from laporan.choices import (
    ActorType,
    Credibility,
    ReferralStatus,
    Reliability,
    Severity,
    SourceType,
    Status,
)
from laporan.confidential import can_see_informant

#: Up to this many kab/kota, the no-script region field is a select; above, a code input.
REGION_SELECT_LIMIT = 40
ACTOR_ROWS = 3
CODE_PATTERN = r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?"


def _blank(label) -> list:
    return [("", label)]


class DataSelect(forms.Select):
    """A select whose options carry ``data-*`` attributes (``option_data[value]``), which
    the quick-entry script reads (an indicator's ATHG class, a contest's region)."""

    def __init__(self, *args, option_data: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_data = option_data or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"].update(self.option_data.get(str(value), {}))
        return option


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time with no zone. The form reads it in the chosen region's own zone
    (WIB, WITA or WIT), not the server's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"},
                                 format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                     "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        for fmt in self.input_formats:
            try:
                return dt.datetime.strptime(str(value).strip(), fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class ServiceErrorsMixin:
    """Puts a service's ``ValidationError`` on the matching fields; the rest (and keys this
    form has no field for) go to the errors of the whole form."""

    field_aliases: dict[str, str] = {}

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, messages in exc.message_dict.items():
            target = self.field_aliases.get(name, name)
            if target == NON_FIELD_ERRORS or target not in self.fields:
                self.add_error(None, messages)
            else:
                self.add_error(target, messages)


# --- Choices shared by several forms ------------------------------------------------------

def indicator_choices(include: int | None = None) -> tuple[list, dict, dict]:
    """Indicators grouped by category (``<optgroup>``) and keyed by code, each option's
    default ATHG class (for the script), and the indicators by code."""
    rows = (
        Indicator.objects.filter(
            Q(is_active=True, parent__isnull=False, parent__is_active=True) | Q(pk=include)
        )
        .exclude(parent__isnull=True)
        .select_related("parent")
        .order_by("parent__order", "parent__code", "order", "code")
    )
    groups: dict[str, list] = {}
    data = {}
    by_code = {}
    for indicator in rows:
        groups.setdefault(indicator.parent.name, []).append((indicator.code, indicator.name))
        data[indicator.code] = {"data-athg": indicator.athg}
        by_code[indicator.code] = indicator
    return list(groups.items()), data, by_code


def assignable_analysts(*, user, region_code: str | None = None):
    """Analysts who could take an incident: those whose jurisdiction covers ``region_code``
    (or, without one, the jurisdiction of ``user``, above or below it)."""
    analysts = User.objects.filter(
        is_active=True, role__in=[Role.ANALYST, Role.ADMIN]).select_related("jurisdiction")
    code = region_code or user.jurisdiction_id
    if code is None:
        return analysts.order_by("first_name", "username")
    covering = Q(jurisdiction__isnull=True) | Q(jurisdiction_id__in=[code[:2], code[:5], code])
    if region_code is None:
        covering |= region_q(code, "jurisdiction")
    return analysts.filter(covering).order_by("first_name", "username")


class AnalystChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        return f"{name} ({obj.jurisdiction_label})"


# --- The quick-entry form -----------------------------------------------------------------

class IncidentForm(ServiceErrorsMixin, forms.Form):
    """Quick entry of an incident (and its edit). Builds ``services.IncidentData``."""

    region = forms.CharField(
        label=_("Kab/kota"), max_length=13,
        error_messages={"required": _("Choose a kabupaten or kota.")},
    )
    kecamatan = forms.CharField(
        label=_("Kecamatan"), max_length=13, required=False,
        help_text=_("Search by name, or type its code (13.77.01)."),
    )
    desa = forms.CharField(
        label=_("Desa/kelurahan"), max_length=13, required=False,
        help_text=_("Search by name, or type its code (13.77.01.1001)."),
    )
    occurred_at = LocalDateTimeField(
        label=_("Date and time of the event"),
        error_messages={"required": _("Give the date and time of the event."),
                        "invalid": _("Give the date and time as YYYY-MM-DD HH:MM.")},
    )
    indicator = forms.ChoiceField(
        label=_("Indicator"), error_messages={"required": _("Choose an indicator.")}
    )
    athg = forms.ChoiceField(
        label=_("ATHG class"), required=False,
        help_text=_("Leave as it is to use the indicator's class."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200,
        help_text=_("One line: who did what, where."),
        error_messages={"required": _("Give the incident a short title.")},
    )
    narrative = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Describe what happened.")},
    )
    source_type = forms.ChoiceField(
        label=_("Source"), choices=_blank(_("Choose the source")) + SourceType.choices,
        error_messages={"required": _("Choose where the information came from.")},
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.MEDIUM,
        widget=forms.RadioSelect,
    )
    injured = forms.IntegerField(label=_("Injured"), min_value=0, initial=0,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    killed = forms.IntegerField(label=_("Killed"), min_value=0, initial=0,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    damage = forms.CharField(label=_("Damage"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    contest = forms.TypedChoiceField(label=_("Contest"), required=False, coerce=int,
                                     empty_value=None)
    candidate_pair = forms.TypedChoiceField(label=_("Candidate pair"), required=False,
                                            coerce=int, empty_value=None)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.BIASA,
        help_text=_("Terbatas and rahasia reports are hidden from operators of other offices."),
    )
    informant = forms.CharField(
        label=_("Informant (protected)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Name and contact. Encrypted; shown only to analysts and admins, never "
                    "exported."),
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal",
                                        "placeholder": "-0.6264"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal",
                                        "placeholder": "100.1203"}),
    )

    field_aliases = {"actors": NON_FIELD_ERRORS}

    def __init__(self, *args, user, incident=None, **kwargs):
        self.user = user
        self.incident = incident
        if incident is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(incident)
        super().__init__(*args, **kwargs)
        self._setup_region_field()
        self._setup_indicator_field()
        self._setup_contest_fields()
        self.fields["athg"].choices = _blank(_("The indicator's class")) + Athg.choices
        actor_choices = _blank(_("Actor")) + ActorType.choices
        # An imported incident may name more kinds of actor than the form's rows: show all.
        self._old_actors = list(incident.actors.all()) if incident is not None else []
        self.actor_row_count = max(ACTOR_ROWS, len(self._old_actors))
        for row in range(self.actor_row_count):
            self.fields[f"actor_type_{row}"] = forms.ChoiceField(
                label=_("Actor"), choices=actor_choices, required=False)
            self.fields[f"actor_count_{row}"] = forms.IntegerField(
                label=_("Number"), min_value=1, required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "1"}))
        if not self.shows_informant:
            del self.fields["informant"]
        if self.needs_reason:
            self.fields["reason"] = forms.CharField(
                label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("This incident is already verified: the previous version stays "
                            "in its history with this reason."),
                error_messages={"required": _("Say why a verified incident is changed.")},
            )

    # -- set-up -------------------------------------------------------------------------

    @property
    def shows_informant(self) -> bool:
        # Anyone who reports may write an informant; only those who may read it see it
        # again (laporan.confidential). Hidden, the stored value is kept on save.
        return self.incident is None or can_see_informant(self.user, self.incident)

    @property
    def needs_reason(self) -> bool:
        return self.incident is not None and self.incident.status in (
            Status.VERIFIED, Status.FOLLOW_UP, Status.CLOSED)

    def _setup_region_field(self) -> None:
        field = self.fields["region"]
        kabkota = list(
            core.region_list(user=self.user).filter(level=RegionLevel.KABKOTA)
            .only("code", "name", "timezone")[: REGION_SELECT_LIMIT + 1]
        )
        if len(kabkota) <= REGION_SELECT_LIMIT:
            choices = [(r.code, f"{r.name} ({r.code})") for r in kabkota]
            if len(kabkota) != 1:
                choices = _blank(_("Choose a kab/kota")) + choices
            elif not self.is_bound and not self.initial.get("region"):
                self.initial["region"] = kabkota[0].code
            field.widget = DataSelect(
                choices=choices,
                option_data={r.code: {"data-timezone": r.timezone, "data-name": r.name}
                             for r in kabkota},
            )
        else:
            field.widget = forms.TextInput(attrs={
                "pattern": r"[0-9]{2}\.[0-9]{2}", "inputmode": "decimal",
                "placeholder": "13.77", "autocomplete": "off"})
            field.help_text = _("Search by name, or type its code (13.77).")
        for name in ("kecamatan", "desa"):
            self.fields[name].widget.attrs.update(
                {"pattern": CODE_PATTERN, "inputmode": "decimal", "autocomplete": "off"})

    def _setup_indicator_field(self) -> None:
        current = self.incident.indicator_id if self.incident else None
        groups, data, self._indicators = indicator_choices(include=current)
        field = self.fields["indicator"]
        field.choices = _blank(_("Choose an indicator")) + groups
        field.widget = DataSelect(choices=field.choices, option_data=data)

    def _setup_contest_fields(self) -> None:
        contests = list(
            core.contest_list(user=self.user).filter(election__is_active=True)
            .prefetch_related("pairs").order_by("region_id", "kind")
        )
        if self.incident and self.incident.contest_id and self.incident.contest_id not in {
            c.pk for c in contests
        }:
            contests += list(core.contest_list(user=self.user).filter(
                pk=self.incident.contest_id).prefetch_related("pairs"))
        self._contests = {c.pk: c for c in contests}
        self._pairs = {p.pk: p for c in contests for p in c.pairs.all()}
        contest = self.fields["contest"]
        contest.choices = _blank(_("No particular contest")) + [(c.pk, c.name) for c in contests]
        contest.widget = DataSelect(
            choices=contest.choices,
            option_data={str(c.pk): {"data-region": c.region_id} for c in contests})
        pair = self.fields["candidate_pair"]
        pair.choices = _blank(_("No particular pair")) + [
            (c.name, [(p.pk, str(p)) for p in c.pairs.all()]) for c in contests if c.pairs.all()
        ]
        pair.widget = DataSelect(
            choices=pair.choices,
            option_data={str(p.pk): {"data-contest": str(p.contest_id)}
                         for p in self._pairs.values()})

    @staticmethod
    def initial_from(incident) -> dict:
        zone = ZoneInfo(incident.region.iana_timezone)
        initial = {
            "region": incident.region_id, "kecamatan": incident.kecamatan_id or "",
            "desa": incident.desa_id or "",
            "occurred_at": incident.occurred_at.astimezone(zone).replace(tzinfo=None),
            "indicator": incident.indicator.code, "athg": incident.athg,
            "title": incident.title, "narrative": incident.narrative,
            "source_type": incident.source_type, "severity": incident.severity,
            "injured": incident.injured, "killed": incident.killed, "damage": incident.damage,
            "contest": incident.contest_id, "candidate_pair": incident.candidate_pair_id,
            "classification": incident.classification, "informant": incident.informant,
            "latitude": incident.latitude, "longitude": incident.longitude,
        }
        for row, actor in enumerate(incident.actors.all()):
            initial[f"actor_type_{row}"] = actor.actor_type
            initial[f"actor_count_{row}"] = actor.count
        return initial

    # -- what the template needs ----------------------------------------------------------

    @property
    def actor_rows(self) -> list[tuple]:
        return [(self[f"actor_type_{row}"], self[f"actor_count_{row}"])
                for row in range(self.actor_row_count)]

    def picked_regions(self) -> dict[str, Region]:
        """The regions now in the three region fields (for their names on the page)."""
        codes = {name: (self[name].value() or "").strip()
                 for name in ("region", "kecamatan", "desa")}
        found = {r.code: r for r in Region.objects.filter(
            code__in=[c for c in codes.values() if c]).only("code", "name", "timezone")}
        return {name: found[code] for name, code in codes.items() if code in found}

    # -- cleaning -------------------------------------------------------------------------

    def _region(self, name: str) -> Region | None:
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValidationError(_("No region has the code %(code)s.") % {"code": code})
        return region

    def clean_region(self):
        return self._region("region")

    def clean_kecamatan(self):
        return self._region("kecamatan")

    def clean_desa(self):
        return self._region("desa")

    def clean_indicator(self):
        return self._indicators.get(self.cleaned_data["indicator"])

    def clean_contest(self):
        value = self.cleaned_data.get("contest")
        return self._contests.get(value) if value else None

    def clean_candidate_pair(self):
        value = self.cleaned_data.get("candidate_pair")
        return self._pairs.get(value) if value else None

    def clean(self):
        cleaned = super().clean()
        for row in range(self.actor_row_count):
            kind, count = cleaned.get(f"actor_type_{row}"), cleaned.get(f"actor_count_{row}")
            if count and not kind:
                self.add_error(f"actor_type_{row}", _("Choose who the actors are."))
        return cleaned

    def _actor_description(self, row: int, actor_type: str) -> str:
        # The form has no description column: keep the one a row already had (an import's
        # "ASN Pemko Pariaman") while its kind of actor is unchanged.
        old = self._old_actors[row] if row < len(self._old_actors) else None
        return old.description if old is not None and old.actor_type == actor_type else ""

    def incident_data(self) -> services.IncidentData:
        """The service input; on an edit, what this form does not show is kept as it was."""
        cd = self.cleaned_data
        region = cd["region"]
        occurred_at = cd["occurred_at"].replace(tzinfo=ZoneInfo(region.iana_timezone))
        actors = [
            services.ActorData(cd[f"actor_type_{row}"], cd.get(f"actor_count_{row}") or 1,
                               self._actor_description(row, cd[f"actor_type_{row}"]))
            for row in range(self.actor_row_count) if cd.get(f"actor_type_{row}")
        ]
        kept = {}
        if self.incident is not None:
            old = self.incident
            kept = {"source_reliability": old.source_reliability,
                    "information_credibility": old.information_credibility,
                    "external_ref": old.external_ref, "informant": old.informant}
        data = services.IncidentData(
            title=cd["title"], narrative=cd["narrative"], region=region,
            occurred_at=occurred_at, indicator=cd["indicator"], source_type=cd["source_type"],
            kecamatan=cd.get("kecamatan"), desa=cd.get("desa"),
            latitude=cd.get("latitude"), longitude=cd.get("longitude"),
            athg=cd.get("athg") or "", contest=cd.get("contest"),
            candidate_pair=cd.get("candidate_pair"), severity=cd["severity"],
            injured=cd["injured"], killed=cd["killed"], damage=cd.get("damage", ""),
            classification=cd["classification"], actors=actors, **kept,
        )
        if "informant" in self.fields:
            data.informant = cd.get("informant", "")
        return data


# --- Actions on one incident --------------------------------------------------------------

class VerifyForm(forms.Form):
    reliability = forms.ChoiceField(label=_("Source reliability"), choices=Reliability.choices)
    credibility = forms.TypedChoiceField(label=_("Information credibility"),
                                         choices=Credibility.choices, coerce=int)
    reason = forms.CharField(label=_("Note"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give a reason.")})


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Merge into incident number"), min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("The number of the incident this one duplicates (LAP-000012 is 12)."),
        error_messages={"required": _("Give the number of the incident to merge into.")},
    )
    reason = forms.CharField(label=_("Note"), required=False)


class AssignForm(forms.Form):
    assignee = AnalystChoiceField(label=_("Analyst"), queryset=User.objects.none(),
                                  required=False, empty_label=_("Nobody (unassign)"))

    def __init__(self, *args, user, region_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_analysts(user=user,
                                                               region_code=region_code)


class EvidenceForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("A photo, screenshot or PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
        error_messages={"required": _("Choose a file to attach.")},
    )
    description = forms.CharField(label=_("Description"), max_length=250,
                                  required=False)


class ReferralForm(ServiceErrorsMixin, forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.filter(is_active=True),
        empty_label=_("Choose an institution"),
        error_messages={"required": _("Choose the institution it was referred to.")},
    )
    subject = forms.CharField(label=_("Referred"), max_length=150,
                              help_text=_("Who or what, for example ASN."))
    count = forms.IntegerField(label=_("Number of persons or items"), min_value=1, initial=1,
                               widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    referred_on = forms.DateField(label=_("Referred on"),
                                  widget=forms.DateInput(attrs={"type": "date"},
                                                         format="%Y-%m-%d"))
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].initial = timezone.localdate()


class ReferralUpdateForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
    outcome = forms.CharField(label=_("Outcome"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    decided_on = forms.DateField(label=_("Decided on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"))


# --- Bulk actions of the verification queue -----------------------------------------------

class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Unknown incident number.")) from None


class BulkActionForm(forms.Form):
    ACTIONS = [("verify", _("Verify")), ("reject", _("Reject")), ("assign", _("Assign"))]

    incidents = IdListField(error_messages={"required": _("Tick at least one incident.")})
    action = forms.ChoiceField(choices=ACTIONS)
    reliability = forms.ChoiceField(label=_("Source reliability"), required=False,
                                    choices=_blank(_("Choose")) + Reliability.choices)
    credibility = forms.TypedChoiceField(label=_("Information credibility"), required=False,
                                         coerce=int, empty_value=None,
                                         choices=_blank(_("Choose")) + Credibility.choices)
    reason = forms.CharField(label=_("Reason for rejecting"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    assignee = AnalystChoiceField(label=_("Analyst"), queryset=User.objects.none(),
                                  required=False, empty_label=_("Choose an analyst"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_analysts(user=user)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "verify":
            if not cleaned.get("reliability"):
                self.add_error("reliability", _("Grade the source A-F."))
            if not cleaned.get("credibility"):
                self.add_error("credibility", _("Grade the information 1-6."))
        elif action == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the incidents are rejected."))
        elif action == "assign" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose the analyst."))
        return cleaned

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {
            "verify": {"reliability": cd.get("reliability"), "credibility": cd.get("credibility")},
            "reject": {"reason": cd.get("reason", "")},
            "assign": {"assignee": cd.get("assignee")},
        }[cd["action"]]


# --- Filter forms of the lists ------------------------------------------------------------

def style_filter_form(form, *, checkbox_fields=(), select_choices=None,
                      widgets=None) -> None:
    """Present a FilterSet's form for people: checkbox groups instead of multi-selects,
    selects where the API takes a code, date pickers. The filters themselves are untouched,
    so the page and the API read the same parameters."""
    for name in checkbox_fields:
        field = form.fields[name]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
    for name, choices in (select_choices or {}).items():
        form.fields[name].widget = forms.Select(choices=choices)
    for name, widget in (widgets or {}).items():
        form.fields[name].widget = widget


def indicator_filter_choices() -> list:
    """Categories (which include their indicators) and indicators, by code."""
    groups, _data, by_code = indicator_choices()
    categories = {i.parent.name: i.parent.code for i in by_code.values()}
    choices = _blank(_("Any indicator"))
    for category, options in groups:
        choices.append((category, [(categories[category], _("All of %(category)s")
                                    % {"category": category})] + options))
    return choices
