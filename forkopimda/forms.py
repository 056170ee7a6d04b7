"""Forms of the forum, meeting and recommendation pages. They parse and present; every rule
lives in ``forkopimda.services``, whose ``ValidationError`` is mapped back onto these fields."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forkopimda import selectors, services
from forkopimda.choices import Channel, ForumKind, MeetingKind, Position
from kewaspadaan.choices import TIMEZONE_IANA
from kewaspadaan.models import Alert, Indicator, Institution, Region
from laporan.forms import CODE_PATTERN, LocalDateTimeField, ServiceErrorsMixin
from laporan.models import Incident

TEXTAREA = {"rows": 4}


def _codes(value: str) -> list[str]:
    return [code.strip() for code in (value or "").replace(";", ",").replace("\n", ",")
            .split(",") if code.strip()]


class RegionCodesField(forms.CharField):
    """Kemendagri codes separated by commas; an unknown code is named in the error."""

    def clean(self, value):
        codes = _codes(super().clean(value))
        regions = list(Region.objects.defer("boundary").filter(code__in=codes))
        unknown = sorted(set(codes) - {r.code for r in regions})
        if unknown:
            raise forms.ValidationError(_("Unknown region code: %(codes)s")
                                        % {"codes": ", ".join(unknown)})
        return regions


class ReferencesField(forms.CharField):
    """Incident references (LAP-000012 or 12) or alert numbers, separated by commas; the
    view resolves them through the scoping rule, so a hidden one is "not found"."""

    def clean(self, value):
        numbers = []
        for item in _codes(super().clean(value)):
            digits = item.upper().removeprefix("LAP-").lstrip("#")
            if not digits.isdigit():
                raise forms.ValidationError(_("Not a reference: %(item)s") % {"item": item})
            numbers.append(int(digits))
        return numbers


class ForumForm(ServiceErrorsMixin, forms.Form):
    region = forms.CharField(label=_("Region code"), max_length=13,
                             help_text=_("A Kemendagri code, for example 13 or 13.77."),
                             widget=forms.TextInput(attrs={"pattern": CODE_PATTERN,
                                                           "inputmode": "decimal"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ForumKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=250, required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs=TEXTAREA))
    use_template = forms.BooleanField(
        label=_("Add the usual member offices of this kind of forum"), required=False,
        initial=True)

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        region = Region.objects.defer("boundary").filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Unknown region code: %(codes)s") % {"codes": code})
        return region


class MemberForm(ServiceErrorsMixin, forms.Form):
    office = forms.CharField(label=_("Office"), max_length=200)
    person_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices,
                                 initial=Position.MEMBER)
    institution = forms.ModelChoiceField(label=_("Institution"), required=False,
                                         queryset=Institution.objects.filter(is_active=True),
                                         to_field_name="code")
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    def data_object(self) -> services.MemberData:
        return services.MemberData(**self.cleaned_data)


class MeetingForm(ServiceErrorsMixin, forms.Form):
    forum = forms.ModelChoiceField(label=_("Forum"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=250)
    leader = forms.CharField(label=_("Led by (pimpinan)"), max_length=250)
    held_at = LocalDateTimeField(label=_("Date and time"),
                                 help_text=_("In the forum region's own time zone."))
    place = forms.CharField(label=_("Place"), max_length=250)
    topic = forms.CharField(label=_("Topic (materi)"), widget=forms.Textarea(attrs=TEXTAREA))
    background = forms.CharField(label=_("Background"), required=False,
                                 widget=forms.Textarea(attrs=TEXTAREA),
                                 help_text=_("Why the meeting was held."))
    participants = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One office per line, for example Kapolda Sumatera Barat."))
    minutes = forms.CharField(label=_("Minutes"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6}))
    regions = RegionCodesField(label=_("Regions discussed"), required=False,
                               help_text=_("Kemendagri codes separated by commas."))
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators discussed"), required=False, to_field_name="code",
        queryset=Indicator.objects.filter(is_active=True, parent__isnull=True),
        widget=forms.CheckboxSelectMultiple)
    incidents = ReferencesField(label=_("Incidents discussed"), required=False,
                                help_text=_("Incident references separated by commas, for "
                                            "example LAP-000012."))
    alerts = ReferencesField(label=_("Alerts discussed"), required=False,
                             help_text=_("Alert numbers separated by commas."))
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=250,
                                      required=False)
    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=150,
                                     required=False)
    signatory_id = forms.CharField(label=_("Signatory's NIP"), max_length=40, required=False)
    document_place = forms.CharField(label=_("Place of signing"), max_length=100,
                                     required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["forum"].queryset = selectors.forum_list(user=user).filter(is_active=True)

    def _visible(self, model, numbers: list[int]) -> list:
        # Unscoped on purpose: the service refuses what the user may not see, with the
        # same "not found" as for a number that does not exist.
        found = model.objects.in_bulk(numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            return [*found.values(), *[model(pk=n) for n in missing]]
        return list(found.values())

    def data_object(self, meeting=None) -> services.MeetingData:
        data = dict(self.cleaned_data)
        forum = data["forum"]
        zone = ZoneInfo(TIMEZONE_IANA[forum.region.timezone])
        held_at = data["held_at"].replace(tzinfo=zone) if data.get("held_at") else None
        participants = [services.ParticipantData(office=line.strip())
                        for line in data.pop("participants", "").splitlines() if line.strip()]
        return services.MeetingData(
            forum=forum, kind=data["kind"], title=data["title"], leader=data["leader"],
            held_at=held_at, place=data["place"], topic=data["topic"],
            background=data["background"], minutes=data["minutes"],
            signatory_title=data["signatory_title"], signatory_name=data["signatory_name"],
            signatory_id=data["signatory_id"], document_place=data["document_place"],
            participants=participants, regions=data["regions"],
            indicators=list(data["indicators"]),
            incidents=self._visible(Incident, data.get("incidents") or []),
            alerts=self._visible(Alert, data.get("alerts") or []),
        )

    @classmethod
    def initial_for(cls, meeting) -> dict:
        zone = ZoneInfo(TIMEZONE_IANA[meeting.region.timezone])
        return {
            **{name: getattr(meeting, name) for name in services.MEETING_FIELDS},
            "forum": meeting.forum_id,
            "held_at": timezone.localtime(meeting.held_at, zone).replace(tzinfo=None),
            "participants": "\n".join(p.office for p in meeting.participants.all()),
            "regions": ", ".join(r.code for r in meeting.regions.all()),
            "indicators": [i.code for i in meeting.indicators.all()],
            "incidents": ", ".join(i.reference for i in meeting.incidents.all()),
            "alerts": ", ".join(str(a.pk) for a in meeting.alerts.all()),
        }


class RecommendationForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Short title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    rationale = forms.CharField(label=_("Supporting figures"), required=False,
                                widget=forms.Textarea(attrs=TEXTAREA))
    institutions = forms.ModelMultipleChoiceField(
        label=_("Addressed institutions"), required=False, to_field_name="code",
        queryset=Institution.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple)
    addressees = forms.CharField(label=_("Other addressees"), max_length=300, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    regions = RegionCodesField(label=_("Regions concerned"), required=False,
                               help_text=_("Kemendagri codes separated by commas."))

    def data_object(self, *, meeting=None, region=None, current=None
                    ) -> services.RecommendationData:
        data = self.cleaned_data
        return services.RecommendationData(
            title=data["title"], text=data["text"], rationale=data["rationale"],
            institutions=list(data["institutions"]), addressees=data["addressees"],
            deadline=data["deadline"], regions=data["regions"], meeting=meeting,
            region=region,
            indicators=list(current.indicators.all()) if current else [],
            incidents=list(current.incidents.all()) if current else [],
            score_changes=current.score_changes if current else [],
        )

    @classmethod
    def initial_for(cls, rec) -> dict:
        return {"title": rec.title, "text": rec.text, "rationale": rec.rationale,
                "institutions": [i.code for i in rec.institutions.all()],
                "addressees": rec.addressees, "deadline": rec.deadline,
                "regions": ", ".join(r.code for r in rec.regions.all())}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("A photo or a PDF."))
    description = forms.CharField(label=_("Description"), max_length=250, required=False)


class ForumEditForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ForumKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=250, required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs=TEXTAREA))
    is_active = forms.BooleanField(label=_("Active"), required=False)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Note"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    institution = forms.ModelChoiceField(label=_("Institution"), required=False,
                                         queryset=Institution.objects.filter(is_active=True),
                                         to_field_name="code")
    office = forms.CharField(label=_("Reported by office"), max_length=200, required=False)


class DistributionForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient office"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices,
                                initial=Channel.LETTER)


class AcknowledgeForm(forms.Form):
    acknowledged_by = forms.CharField(label=_("Acknowledged by"), max_length=150,
                                      required=False)


def default_deadline(days: int = 14) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
