"""Pages of incident intake: quick entry and edit, the list, one incident with its actions,
the verification queue, referrals, and evidence downloads.

Views parse, call one service and report. Reads go through ``laporan.selectors``, so a
record outside the user's jurisdiction or classification is a 404; writes go through
``laporan.services``, whose messages are shown as they are. ``_actions_for`` only decides
which buttons to draw: the services make the decision that counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import BooleanField, Case, F, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kewaspadaan import selectors as core
from kewaspadaan.choices import Role
from kewaspadaan.models import Institution
from kewaspadaan.paginator import BoundedPaginator
from laporan import confidential, filetypes, selectors, services
from laporan.choices import ACCEPTED, REFERRAL_OPEN, Status
from laporan.filtersets import IncidentFilterSet, ReferralFilterSet
from laporan.forms import (
    AssignForm,
    BulkActionForm,
    EvidenceForm,
    IncidentForm,
    MergeForm,
    OptionalReasonForm,
    ReasonForm,
    ReferralForm,
    ReferralUpdateForm,
    VerifyForm,
    indicator_filter_choices,
    style_filter_form,
)
from laporan.models import AccessLog
from laporan.permissions import can

PAGE_SIZE = 50
CLOSED_FOR_EDITS = (Status.MERGED, Status.REJECTED, Status.CLOSED)


def _get_incident(user, pk: int, *, detail: bool = False):
    incident = (selectors.incident_detail if detail else selectors.incident_get)(user=user, pk=pk)
    if incident is None:
        raise Http404
    return incident


def _actions_for(user, incident) -> set[str]:
    """The buttons to draw for ``user`` on ``incident`` (the services still decide)."""
    status = incident.status
    own = incident.created_by_id == user.pk
    reporter_ok = own or user.role != Role.OPERATOR or user.is_superuser
    wanted = {
        "edit": status not in CLOSED_FOR_EDITS and reporter_ok
        and (status not in ACCEPTED or can(user, "verify")),
        "submit": status == Status.DRAFT and reporter_ok,
        "verify": status == Status.SUBMITTED,
        "reject": status == Status.SUBMITTED,
        "merge": status in (Status.DRAFT, Status.SUBMITTED, Status.VERIFIED),
        "follow_up": status == Status.VERIFIED,
        "close": status in (Status.VERIFIED, Status.FOLLOW_UP),
        "assign": status not in CLOSED_FOR_EDITS,
        "refer": status in ACCEPTED,
        "update_referral": True,
        "add_evidence": status not in (Status.MERGED, Status.REJECTED),
    }
    return {action for action, shown in wanted.items() if shown and can(user, action)}


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


def _form_error_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _post_form(request, form, run: Callable[[dict], object], done: Callable[[object], str]):
    """Run a posted form's service and report: the form's errors, the service's refusal,
    or ``done(result)``; the caller redirects back to the incident."""
    if not form.is_valid():
        messages.error(request, _form_error_text(form))
        return
    try:
        result = run(form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, done(result))


# --- Quick entry and edit -----------------------------------------------------------------

def _form_strings() -> dict:
    """Texts the quick-entry script shows (it has no catalogue of its own)."""
    return {
        "searching": _("Searching…"),
        "noRegion": _("No region found in your jurisdiction."),
        "results": _("%(count)s regions found. Use the arrow keys to choose."),
        "failed": _("The search failed. Check the connection and try again."),
        "chooseFromList": _("Choose a region from the list."),
        "typeKabkota": _("Type a name or code, e.g. Pariaman or 13.77"),
        "typeName": _("Type a name or code"),
        "chooseParent": _("Choose the kab/kota first."),
        "chooseKecamatan": _("Choose the kecamatan first."),
        "stagePrefix": _("Election stage:"),
        "noStage": _("No election stage runs on this date."),
        "stageFailed": _("The stage could not be looked up."),
        "stageHint": _("Choose the kab/kota and the date to see the election stage."),
        "defaultAthg": _("%(athg)s · the indicator's class"),
        "locate": _("Use my location"),
        "locating": _("Finding your location…"),
        "locateFailed": _("The location is not available. Type the coordinates instead."),
    }


def _render_form(request, form, *, incident=None):
    # Errors come back with 200, as Django forms do: browsers log any 4xx page as an error.
    return render(
        request, "laporan/incident_form.html",
        {"form": form, "incident": incident, "picked": form.picked_regions(),
         "strings": _form_strings(),
         "can_submit": incident is None or incident.status == Status.DRAFT},
    )


@login_required
def incident_create(request):
    user = request.user
    if not can(user, "create"):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("intent") == "submit"
        try:
            incident = services.incident_create(by=user, data=form.incident_data(),
                                                submit=submit)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, _error_text(exc))
        else:
            if submit:
                messages.success(request, _("%(ref)s was submitted for verification.")
                                 % {"ref": incident.reference})
            else:
                messages.success(request, _("%(ref)s was saved as a draft.")
                                 % {"ref": incident.reference})
            return redirect("laporan:incident_detail", pk=incident.pk)
    return _render_form(request, form)


@login_required
def incident_update(request, pk: int):
    user = request.user
    incident = _get_incident(user, pk, detail=True)
    if "edit" not in _actions_for(user, incident):
        messages.error(request, _("You cannot edit this incident in its present state."))
        return redirect("laporan:incident_detail", pk=incident.pk)
    form = IncidentForm(request.POST or None, user=user, incident=incident)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("intent") == "submit" and incident.status == Status.DRAFT
        try:
            with transaction.atomic():
                updated = services.incident_update(
                    incident=incident, by=user, data=form.incident_data(),
                    reason=form.cleaned_data.get("reason", ""))
                if submit:
                    services.incident_submit(incident=updated, by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("%(ref)s was updated.") % {"ref": incident.reference})
            return redirect("laporan:incident_detail", pk=incident.pk)
    return _render_form(request, form, incident=incident)


# --- The list -----------------------------------------------------------------------------

def _incident_filters(filterset, *, user) -> None:
    election = core.election_current(on=timezone.localdate())
    stages = list(election.stages.order_by("order")) if election else []
    style_filter_form(
        filterset.form,
        checkbox_fields=("status", "athg", "severity", "source_type", "classification"),
        select_choices={
            "indicator": indicator_filter_choices(),
            "stage": [("", _("Any stage"))] + [(s.slug, s.name) for s in stages],
        },
        widgets={
            "q": django_forms.TextInput(attrs={"type": "search"}),
            "region": django_forms.TextInput(attrs={"placeholder": "13.77",
                                                    "inputmode": "decimal"}),
            "date_from": django_forms.DateInput(attrs={"type": "date"}),
            "date_to": django_forms.DateInput(attrs={"type": "date"}),
            "assigned_to_me": django_forms.CheckboxInput(),
            "reported_by_me": django_forms.CheckboxInput(),
        },
    )
    filterset.form.fields["election"].empty_label = _("Any election")
    if not can(user, "verify"):
        del filterset.form.fields["assigned_to_me"]


FILTER_LAYOUT = {
    # Filters drawn as one row of inputs, then the checkbox groups, then the toggles.
    "inputs": ("q", "region", "indicator", "stage", "election", "date_from", "date_to"),
    "groups": ("status", "athg", "severity", "source_type", "classification"),
    "toggles": ("assigned_to_me", "reported_by_me"),
}


def _layout(form) -> dict:
    return {part: [form[name] for name in names if name in form.fields]
            for part, names in FILTER_LAYOUT.items()}


def _active_filters(request, names) -> int:
    return sum(1 for name in names if any(v for v in request.GET.getlist(name)))


def _incident_page(request, filterset):
    """The asked-for page of a filtered incident list, with the relations rows show."""
    return BoundedPaginator(filterset.qs.prefetch_related(*selectors.INCIDENT_PREFETCH),
                            PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def incident_list(request):
    user = request.user
    filterset = IncidentFilterSet(request.GET or None,
                                  queryset=selectors.incident_list(user=user), request=request)
    _incident_filters(filterset, user=user)
    page = _incident_page(request, filterset)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "laporan/incident_list.html", {
        "filterset": filterset,
        "filters": _layout(filterset.form),
        "active_filters": _active_filters(request, filterset.form.fields),
        "page": page,
        "query": query.urlencode(),
        "can_export": can(user, "export"),
        "can_create": can(user, "create"),
    })


# --- One incident -------------------------------------------------------------------------

@login_required
def incident_detail(request, pk: int):
    user = request.user
    incident = _get_incident(user, pk, detail=True)
    confidential.record_access(request=request, kind=AccessLog.Kind.VIEW_PAGE,
                               incidents=[incident])
    actions = _actions_for(user, incident)
    timeline = selectors.incident_timeline(incident=incident)
    referrals = sorted((e.item for e in timeline if e.kind == "referral"),
                       key=lambda r: (r.referred_on, r.pk))
    evidence = [e.item for e in timeline if e.kind == "evidence"]
    duplicates = ([] if incident.status in (Status.MERGED, Status.REJECTED)
                  else selectors.incident_duplicates(incident=incident, user=user))
    merged = list(selectors.incident_list(user=user).filter(merged_into=incident)
                  .order_by("occurred_at", "id"))
    today = timezone.localdate()
    referral_rows = [
        (r, r.is_overdue(today),
         ReferralUpdateForm(initial={"status": r.status, "outcome": r.outcome,
                                     "decided_on": r.decided_on}, auto_id=f"ref{r.pk}_%s"))
        for r in referrals
    ]
    context = {
        "incident": incident,
        "actions": actions,
        "timeline": timeline,
        "referral_rows": referral_rows,
        "evidence": evidence,
        "duplicates": duplicates,
        "merged": merged,
        "history": selectors.incident_history(incident=incident, user=user),
        "shows_informant": confidential.can_see_informant(user, incident),
        "informant_redacted": confidential.REDACTED,
        "actors": list(incident.actors.all()),
        "stages": list(incident.stages.all()),
        "verify_form": VerifyForm(auto_id="verify_%s"),
        "reject_form": ReasonForm(auto_id="reject_%s"),
        "close_form": ReasonForm(auto_id="close_%s"),
        "follow_up_form": OptionalReasonForm(auto_id="follow_%s"),
        "merge_form": MergeForm(auto_id="merge_%s"),
        "assign_form": (AssignForm(user=user, region_code=incident.region_id,
                                   initial={"assignee": incident.assigned_to_id},
                                   auto_id="assign_%s") if "assign" in actions else None),
        "evidence_form": EvidenceForm(auto_id="evidence_%s"),
        "referral_form": ReferralForm(auto_id="referral_%s") if "refer" in actions else None,
    }
    return render(request, "laporan/incident_detail.html", context)


@dataclass(frozen=True)
class Action:
    form: type | None
    run: Callable
    done: Callable[[], str]


def _merge(incident, by, data):
    into = selectors.incident_get(user=by, pk=data["into"])
    if into is None:
        raise ValidationError(_("There is no incident number %(number)s in your "
                                "jurisdiction.") % {"number": data["into"]})
    services.incident_merge(duplicate=incident, into=into, by=by, reason=data["reason"])
    return into


ACTIONS: dict[str, Action] = {
    "submit": Action(None, lambda i, by, d: services.incident_submit(incident=i, by=by),
                     lambda: _("The incident was submitted for verification.")),
    "verify": Action(
        VerifyForm,
        lambda i, by, d: services.incident_verify(
            incident=i, by=by, reliability=d["reliability"], credibility=d["credibility"],
            reason=d["reason"]),
        lambda: _("The incident was verified."),
    ),
    "reject": Action(
        ReasonForm, lambda i, by, d: services.incident_reject(incident=i, by=by,
                                                              reason=d["reason"]),
        lambda: _("The incident was rejected."),
    ),
    "merge": Action(MergeForm, _merge, lambda: _("The incident was merged as a duplicate.")),
    "follow-up": Action(
        OptionalReasonForm,
        lambda i, by, d: services.incident_start_follow_up(incident=i, by=by,
                                                           reason=d["reason"]),
        lambda: _("The incident is now in follow-up."),
    ),
    "close": Action(
        ReasonForm, lambda i, by, d: services.incident_close(incident=i, by=by,
                                                             reason=d["reason"]),
        lambda: _("The incident was closed."),
    ),
    "assign": Action(
        AssignForm,
        lambda i, by, d: services.incident_assign(incident=i, by=by, assignee=d["assignee"]),
        lambda: _("The assignment was saved."),
    ),
}


@login_required
@require_POST
def incident_action(request, pk: int, action: str):
    user = request.user
    incident = _get_incident(user, pk)
    spec = ACTIONS[action]
    data = {}
    if spec.form is not None:
        kwargs = {"user": user, "region_code": incident.region_id} if spec.form is AssignForm \
            else {}
        form = spec.form(request.POST, **kwargs)
        if not form.is_valid():
            messages.error(request, _form_error_text(form))
            return redirect("laporan:incident_detail", pk=incident.pk)
        data = form.cleaned_data
    try:
        result = spec.run(incident, user, data)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("laporan:incident_detail", pk=incident.pk)
    messages.success(request, spec.done())
    # A merge sends the user to the incident that remains.
    target = result.pk if action == "merge" else incident.pk
    return redirect("laporan:incident_detail", pk=target)


@login_required
@require_POST
def evidence_create(request, pk: int):
    user = request.user
    incident = _get_incident(user, pk)
    _post_form(
        request, EvidenceForm(request.POST, request.FILES),
        lambda cd: services.evidence_add(incident=incident, by=user, upload=cd["file"],
                                         description=cd["description"]),
        lambda evidence: _("%(name)s was attached.") % {"name": evidence.original_name},
    )
    return redirect(reverse("laporan:incident_detail", args=[incident.pk]) + "#evidence")


@login_required
@require_GET
def evidence_download(request, pk: int):
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    if evidence is None:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    confidential.record_access(request=request, kind=AccessLog.Kind.DOCUMENT,
                               incidents=[evidence.incident])
    # The type is read from the bytes again: never from the name, never from the browser.
    kind = filetypes.sniff(handle.read(32))
    handle.seek(0)
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name,
        content_type=kind[0] if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Referrals ------------------------------------------------------------------------------

@login_required
@require_POST
def referral_create(request, pk: int):
    user = request.user
    incident = _get_incident(user, pk)
    _post_form(
        request, ReferralForm(request.POST),
        lambda cd: services.referral_create(
            incident=incident, by=user, institution=cd["institution"], subject=cd["subject"],
            count=cd["count"], referred_on=cd["referred_on"], notes=cd["notes"]),
        lambda referral: _("The referral of %(count)s %(subject)s to %(institution)s was "
                           "recorded.")
        % {"count": referral.count, "subject": referral.subject,
           "institution": referral.institution},
    )
    return redirect(reverse("laporan:incident_detail", args=[incident.pk]) + "#referrals")


@login_required
@require_POST
def referral_update(request, pk: int):
    user = request.user
    referral = selectors.referral_list(user=user).filter(pk=pk).first()
    if referral is None:
        raise Http404
    _post_form(
        request, ReferralUpdateForm(request.POST),
        lambda cd: services.referral_update(referral=referral, by=user, status=cd["status"],
                                            outcome=cd["outcome"],
                                            decided_on=cd["decided_on"]),
        lambda _result: _("The referral was updated."),
    )
    return redirect(reverse("laporan:incident_detail", args=[referral.incident_id])
                    + "#referrals")


@login_required
def referral_list(request):
    user = request.user
    today = timezone.localdate()
    late = When(status__in=REFERRAL_OPEN, deadline__lt=today, then=Value(True))
    referrals = selectors.referral_list(user=user).annotate(
        is_late=Case(late, default=Value(False), output_field=BooleanField())
    ).order_by(F("is_late").desc(), F("deadline").asc(nulls_last=True), "-referred_on", "-id")
    filterset = ReferralFilterSet(request.GET or None, queryset=referrals, request=request)
    style_filter_form(
        filterset.form,
        checkbox_fields=("status",),
        select_choices={
            "institution": [("", _("Any institution"))] + list(
                Institution.objects.filter(is_active=True).values_list("code", "name")),
            "overdue": [("", _("Any")), ("true", _("Overdue only")),
                        ("false", _("Not overdue"))],
        },
        widgets={"region": django_forms.TextInput(attrs={"placeholder": "13.77",
                                                         "inputmode": "decimal"}),
                 "incident": django_forms.NumberInput(attrs={"inputmode": "numeric"})},
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = filterset.form
    return render(request, "laporan/referral_list.html", {
        "filterset": filterset,
        "inputs": [form[n] for n in ("institution", "overdue", "region", "incident")],
        "groups": [form["status"]],
        "active_filters": _active_filters(request, form.fields),
        "page": page,
        "overdue_count": selectors.referrals_overdue(user=user, today=today).count(),
        "today": today,
    })


# --- Verification queue ---------------------------------------------------------------------

def _report_bulk(request, action: str, result, missing: int) -> None:
    refs = ", ".join(i.reference for i in result.done)
    done = len(result.done)
    if done:
        text = {
            "verify": ngettext("%(count)d incident verified: %(refs)s.",
                               "%(count)d incidents verified: %(refs)s.", done),
            "reject": ngettext("%(count)d incident rejected: %(refs)s.",
                               "%(count)d incidents rejected: %(refs)s.", done),
            "assign": ngettext("%(count)d incident assigned: %(refs)s.",
                               "%(count)d incidents assigned: %(refs)s.", done),
        }[action]
        messages.success(request, text % {"count": done, "refs": refs})
    for incident, reason in result.failed:
        messages.error(request, _("%(ref)s was not changed: %(reason)s")
                       % {"ref": incident.reference, "reason": reason})
    if missing:
        messages.error(request, ngettext(
            "%(count)d ticked incident is no longer in your jurisdiction.",
            "%(count)d ticked incidents are no longer in your jurisdiction.", missing,
        ) % {"count": missing})


@login_required
def verification_queue(request):
    user = request.user
    if not can(user, "verify"):
        raise PermissionDenied
    bulk = BulkActionForm(request.POST or None, user=user, auto_id="bulk_%s")
    if request.method == "POST" and bulk.is_valid():
        ids = bulk.cleaned_data["incidents"]
        action = bulk.cleaned_data["action"]
        incidents = list(selectors.incident_list(user=user).filter(pk__in=ids).order_by("pk"))
        result = services.incidents_bulk(incidents=incidents, by=user, action=action,
                                         **bulk.service_kwargs())
        _report_bulk(request, action, result, missing=len(ids) - len(incidents))
        return redirect(request.get_full_path())
    filterset = IncidentFilterSet(request.GET or None,
                                  queryset=selectors.verification_queue(user=user),
                                  request=request)
    _incident_filters(filterset, user=user)
    page = _incident_page(request, filterset)
    form = filterset.form
    selected = set(bulk.fields["incidents"].to_python(request.POST.getlist("incidents"))
                   if bulk.is_bound and "incidents" not in bulk.errors else [])
    return render(request, "laporan/verification_queue.html", {
        "filterset": filterset,
        "inputs": [form[n] for n in ("q", "region", "indicator")],
        "toggles": [form["assigned_to_me"]],
        "active_filters": _active_filters(request, ("q", "region", "indicator",
                                                    "assigned_to_me")),
        "page": page,
        "bulk": bulk,
        "selected": selected,
        "queue_strings": {"selected": _("%(count)s selected"),
                          "selectAll": _("Select every incident on this page")},
    })
