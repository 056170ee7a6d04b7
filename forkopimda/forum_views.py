"""Pages of forums, meetings and recommendations: lists, details, forms, lifecycle actions,
the official documents, the tracker exports and the suggested drafts.

Views parse, call one service and report. Reads go through ``forkopimda.selectors`` (a
record outside the user's jurisdiction is a 404); writes through ``forkopimda.services``,
whose messages are shown as they are. ``allowed`` only decides which buttons to draw.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from forkopimda import documents, forms, selectors, services, tracker
from forkopimda.api.views import attachment_response, document_response
from forkopimda.choices import IN_DOCUMENT, OPEN, RecommendationStatus
from forkopimda.filtersets import ForumFilterSet, MeetingFilterSet, RecommendationFilterSet
from forkopimda.permissions import allowed_actions, can, require
from kewaspadaan.models import Institution, Region
from kewaspadaan.scoping import can_see_region
from laporan.forms import style_filter_form

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _found(record):
    """The record a selector returned, or a 404 (outside the jurisdiction or missing)."""
    if record is None:
        raise Http404
    return record


def _report(request, call, success: str) -> None:
    """Run a service ``call`` and report its outcome as a message."""
    try:
        call()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, success)


def _valid(form, message: str) -> dict:
    """A bound form's cleaned data, or a ValidationError carrying ``message``."""
    if not form.is_valid():
        raise ValidationError(message)
    return form.cleaned_data


def _active(filterset) -> int:
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    return sum(1 for value in data.values() if value not in (None, "", [], False))


# --- Forums ---------------------------------------------------------------------------------

@login_required
@require_GET
def forum_list(request):
    filterset = ForumFilterSet(request.GET, queryset=selectors.forum_list(user=request.user)
                               .order_by("region", "kind", "name"), request=request)
    style_filter_form(filterset.form, checkbox_fields=["kind"])
    form = filterset.form
    return render(request, "forkopimda/forum_list.html", {
        "page": _page(request, filterset.qs), "filterset": filterset,
        "inputs": [form["q"], form["region"]], "groups": [form["kind"]],
        "active_filters": _active(filterset), "allowed": allowed_actions(request.user),
    })


@login_required
def forum_create(request):
    require(request.user, "manage_forum")
    initial = {"region": request.user.jurisdiction_id or ""}
    form = forms.ForumForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        create = (services.forum_create_from_template if data["use_template"]
                  else services.forum_create)
        try:
            forum = create(by=request.user, region=data["region"], kind=data["kind"],
                           name=data["name"], legal_basis=data["legal_basis"],
                           notes=data["notes"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Forum created."))
            return redirect("forkopimda:forum_detail", pk=forum.pk)
    return render(request, "forkopimda/forum_form.html", {"form": form})


@login_required
def forum_detail(request, pk: int):
    forum = _found(selectors.forum_detail(user=request.user, pk=pk))
    member_form = forms.MemberForm(request.POST or None)
    if request.method == "POST":
        if member_form.is_valid():
            try:
                services.forum_member_add(forum=forum, by=request.user,
                                          data=member_form.data_object())
            except ValidationError as exc:
                member_form.add_service_errors(exc)
            except PermissionDenied as exc:
                messages.error(request, _error_text(exc))
                return redirect("forkopimda:forum_detail", pk=pk)
            else:
                messages.success(request, _("Member added."))
                return redirect("forkopimda:forum_detail", pk=pk)
    meetings = selectors.meeting_list(user=request.user).filter(forum=forum)[:20]
    return render(request, "forkopimda/forum_detail.html", {
        "forum": forum, "members": forum.members.all(), "member_form": member_form,
        "meetings": meetings, "allowed": allowed_actions(request.user),
    })


@login_required
def forum_update(request, pk: int):
    require(request.user, "manage_forum")
    forum = _found(selectors.forum_detail(user=request.user, pk=pk))
    form = forms.ForumEditForm(request.POST or None, initial={
        "kind": forum.kind, "name": forum.name, "legal_basis": forum.legal_basis,
        "notes": forum.notes, "is_active": forum.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.forum_update(forum=forum, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Forum saved."))
            return redirect("forkopimda:forum_detail", pk=pk)
    return render(request, "forkopimda/forum_form.html", {"form": form, "forum": forum})


@login_required
@require_POST
def forum_member_remove(request, pk: int, member_id: int):
    forum = selectors.forum_detail(user=request.user, pk=pk)
    member = forum.members.filter(pk=member_id).first() if forum else None
    if member is None:
        raise Http404
    _report(request, lambda: services.forum_member_remove(member=member, by=request.user),
            _("Member removed."))
    return redirect("forkopimda:forum_detail", pk=pk)


# --- Meetings -------------------------------------------------------------------------------

@login_required
@require_GET
def meeting_list(request):
    filterset = MeetingFilterSet(request.GET, queryset=selectors.meeting_list(user=request.user),
                                 request=request)
    style_filter_form(filterset.form, checkbox_fields=["kind"], widgets={})
    form = filterset.form
    for name in ("date_from", "date_to"):
        form.fields[name].widget.input_type = "date"
    return render(request, "forkopimda/meeting_list.html", {
        "page": _page(request, filterset.qs), "filterset": filterset,
        "inputs": [form["q"], form["region"], form["date_from"], form["date_to"]],
        "groups": [form["kind"]], "active_filters": _active(filterset),
        "allowed": allowed_actions(request.user),
    })


def _meeting_form_page(request, *, meeting=None):
    require(request.user, "record_meeting")
    initial = forms.MeetingForm.initial_for(meeting) if meeting else {
        "forum": request.GET.get("forum") or None}
    form = forms.MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.data_object(meeting)
            if meeting is None:
                saved = services.meeting_create(by=request.user, data=data)
            else:
                saved = services.meeting_update(meeting=meeting, by=request.user, data=data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("forkopimda:meeting_detail", pk=saved.pk)
    return render(request, "forkopimda/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_create(request):
    return _meeting_form_page(request)


@login_required
def meeting_update(request, pk: int):
    meeting = _found(selectors.meeting_detail(user=request.user, pk=pk))
    return _meeting_form_page(request, meeting=meeting)


@login_required
@require_GET
def meeting_detail(request, pk: int):
    meeting = _found(selectors.meeting_detail(user=request.user, pk=pk))
    recommendations = list(meeting.recommendations.all())
    return render(request, "forkopimda/meeting_detail.html", {
        "meeting": meeting, "recommendations": recommendations,
        "attachment_form": forms.AttachmentForm(),
        "participants": meeting.participants.all(), "allowed": allowed_actions(request.user),
        "has_document": any(r.status in IN_DOCUMENT for r in recommendations),
    })


@login_required
@require_GET
def meeting_document(request, pk: int, kind: str):
    require(request.user, "export")
    meeting = _found(selectors.meeting_detail(user=request.user, pk=pk))
    return document_response(meeting, kind)


# --- Recommendations -------------------------------------------------------------------------

def _recommendation_filterset(request):
    filterset = RecommendationFilterSet(
        request.GET, queryset=selectors.recommendation_list(user=request.user)
        .prefetch_related("institutions"), request=request)
    style_filter_form(filterset.form, checkbox_fields=["status"], select_choices={
        "institution": [("", _("Any institution"))] + [
            (i.code, i.name) for i in Institution.objects.filter(is_active=True)],
        "overdue": [("", _("Any")), ("true", _("Only overdue")), ("false", _("Not overdue"))],
    })
    filterset.form.fields["deadline_before"].widget.input_type = "date"
    return filterset


@login_required
@require_GET
def recommendation_list(request):
    filterset = _recommendation_filterset(request)
    form = filterset.form
    page = _page(request, filterset.qs)
    today = services.region_today(None)
    for rec in page:
        rec.late = rec.is_overdue(today)
    overdue = selectors.recommendation_list(user=request.user, overdue=True).count()
    return render(request, "forkopimda/recommendation_list.html", {
        "page": page, "filterset": filterset,
        "inputs": [form["q"], form["region"], form["institution"], form["overdue"],
                   form["deadline_before"]],
        "groups": [form["status"]], "active_filters": _active(filterset),
        "overdue_count": overdue, "allowed": allowed_actions(request.user),
        "query": request.GET.urlencode(),
    })


@login_required
@require_GET
def recommendation_export(request, kind: str):
    """The tracker of the filtered list; a filter that is not understood refuses the export
    rather than quietly exporting more than was asked for."""
    require(request.user, "export")
    filterset = _recommendation_filterset(request)
    if not filterset.is_valid():
        messages.error(request, _("Some filters were not understood; nothing was exported."))
        return redirect(f"{reverse('forkopimda:recommendation_list')}?{request.GET.urlencode()}")
    queryset = filterset.qs.order_by("region", "deadline", "id")
    if kind == "csv":
        response = StreamingHttpResponse(tracker.export_csv(queryset),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = FileResponse(tracker.export_xlsx(queryset), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{tracker.filename(kind)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _asked_region(request) -> Region | None:
    """The region the request names (or the user's own), if the user may see it."""
    code = request.GET.get("region") or request.POST.get("region") or \
        request.user.jurisdiction_id
    region = Region.objects.defer("boundary").filter(code=code).first() if code else None
    if region is None or not can_see_region(request.user, region.code):
        return None
    return region


def _recommendation_form_page(request, *, rec=None, meeting=None):
    require(request.user, "draft")
    initial = forms.RecommendationForm.initial_for(rec) if rec else {
        "deadline": forms.default_deadline()}
    form = forms.RecommendationForm(request.POST or None, initial=initial)
    region = None
    if rec is None and meeting is None:
        region = _asked_region(request)
        if region is None:
            messages.error(request, _("Choose the meeting or the region of the recommendation."))
            return redirect("forkopimda:meeting_list")
    if request.method == "POST" and form.is_valid():
        try:
            if rec is None:
                saved = services.recommendation_create(
                    by=request.user, data=form.data_object(meeting=meeting, region=region))
            else:
                saved = services.recommendation_update(
                    recommendation=rec, by=request.user,
                    data=form.data_object(meeting=rec.meeting, region=rec.region, current=rec))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recommendation saved."))
            return redirect("forkopimda:recommendation_detail", pk=saved.pk)
    return render(request, "forkopimda/recommendation_form.html", {
        "form": form, "rec": rec, "meeting": meeting or (rec.meeting if rec else None),
        "region": region})


@login_required
def recommendation_create(request, meeting_pk: int | None = None):
    meeting = None
    if meeting_pk is not None:
        meeting = _found(selectors.meeting_detail(user=request.user, pk=meeting_pk))
    return _recommendation_form_page(request, meeting=meeting)


@login_required
def recommendation_update(request, pk: int):
    rec = _found(selectors.recommendation_detail(user=request.user, pk=pk))
    return _recommendation_form_page(request, rec=rec)


def _buttons(user, rec) -> set[str]:
    """The lifecycle buttons to draw (the services still decide)."""
    status = rec.status
    wanted = {
        "edit": status in (RecommendationStatus.DRAFT, RecommendationStatus.APPROVED)
        and can(user, "draft"),
        "approve": status == RecommendationStatus.DRAFT and can(user, "approve"),
        "issue": status == RecommendationStatus.APPROVED and can(user, "issue"),
        "start": status == RecommendationStatus.ISSUED and can(user, "follow_up"),
        "complete": status in OPEN and can(user, "follow_up"),
        "cancel": status not in (RecommendationStatus.DONE, RecommendationStatus.CANCELLED)
        and can(user, "cancel"),
        "discard": status == RecommendationStatus.DRAFT and can(user, "draft"),
        "progress": status in OPEN and can(user, "follow_up"),
        "distribute": status in (*OPEN, RecommendationStatus.DONE) and can(user, "distribute"),
        "acknowledge": can(user, "acknowledge"),
        "deadline": status not in (RecommendationStatus.DONE, RecommendationStatus.CANCELLED)
        and can(user, "issue"),
    }
    return {name for name, shown in wanted.items() if shown}


@login_required
@require_GET
def recommendation_detail(request, pk: int):
    rec = _found(selectors.recommendation_detail(user=request.user, pk=pk))
    today = services.region_today(rec.region)
    return render(request, "forkopimda/recommendation_detail.html", {
        "rec": rec, "buttons": _buttons(request.user, rec),
        "late": rec.is_overdue(today), "cancel_form": forms.ReasonForm(prefix="cancel"),
        "note_form": forms.OptionalReasonForm(prefix="note"),
        "progress_form": forms.ProgressForm(prefix="progress"),
        "distribution_form": forms.DistributionForm(prefix="distribution"),
        "acknowledge_form": forms.AcknowledgeForm(prefix="ack"),
        "deadline_form": forms.DeadlineForm(prefix="deadline",
                                            initial={"deadline": rec.deadline}),
    })


def _set_deadline(request, rec) -> None:
    data = _valid(forms.DeadlineForm(request.POST, prefix="deadline"),
                  _("Say why the deadline moves."))
    services.recommendation_set_deadline(recommendation=rec, by=request.user, **data)


# Each lifecycle button: the service it calls with the recommendation, the user and the
# request (whose reason fields some of them read).
STEPS = {
    "approve": lambda request, rec: services.recommendation_approve(
        recommendation=rec, by=request.user),
    "issue": lambda request, rec: services.recommendation_issue(
        recommendation=rec, by=request.user),
    "start": lambda request, rec: services.recommendation_start(
        recommendation=rec, by=request.user, reason=request.POST.get("note-reason", "")),
    "complete": lambda request, rec: services.recommendation_complete(
        recommendation=rec, by=request.user, reason=request.POST.get("note-reason", "")),
    "cancel": lambda request, rec: services.recommendation_cancel(
        recommendation=rec, by=request.user, reason=request.POST.get("cancel-reason", "")),
    "deadline": _set_deadline,
    "discard": lambda request, rec: services.recommendation_discard(
        recommendation=rec, by=request.user),
}
ACTIONS = tuple(STEPS)


@login_required
@require_POST
def recommendation_action(request, pk: int, action: str):
    rec = _found(selectors.recommendation_detail(user=request.user, pk=pk))
    if action == "discard":
        try:
            STEPS[action](request, rec)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Draft discarded."))
            if rec.meeting_id:
                return redirect("forkopimda:meeting_detail", pk=rec.meeting_id)
            return redirect("forkopimda:recommendation_list")
    else:
        _report(request, lambda: STEPS[action](request, rec), _("Recommendation updated."))
    return redirect("forkopimda:recommendation_detail", pk=pk)


def _to_recommendation(pk: int, anchor: str):
    return redirect(f"{reverse('forkopimda:recommendation_detail', args=[pk])}#{anchor}")


@login_required
@require_POST
def recommendation_progress(request, pk: int):
    rec = _found(selectors.recommendation_detail(user=request.user, pk=pk))
    form = forms.ProgressForm(request.POST, prefix="progress")
    _report(request, lambda: services.progress_note_add(
        recommendation=rec, by=request.user, **_valid(form, _("Describe the progress."))),
        _("Progress recorded."))
    return _to_recommendation(pk, "progress")


@login_required
@require_POST
def recommendation_distribute(request, pk: int):
    rec = _found(selectors.recommendation_detail(user=request.user, pk=pk))
    form = forms.DistributionForm(request.POST, prefix="distribution")
    _report(request, lambda: services.distribution_record(
        recommendation=rec, by=request.user, **_valid(form, _("Name the recipient office."))),
        _("Distribution logged."))
    return _to_recommendation(pk, "distribution")


@login_required
@require_POST
def distribution_acknowledge(request, pk: int):
    distribution = _found(selectors.distribution_get(user=request.user, pk=pk))
    form = forms.AcknowledgeForm(request.POST, prefix="ack")
    name = form.cleaned_data["acknowledged_by"] if form.is_valid() else ""
    _report(request, lambda: services.distribution_acknowledge(
        distribution=distribution, by=request.user, acknowledged_by=name),
        _("Receipt acknowledged."))
    return _to_recommendation(distribution.recommendation_id, "distribution")


# --- Suggested drafts ------------------------------------------------------------------------

def _suggestion_region(request) -> Region:
    return _found(_asked_region(request))


SKIP_KEY = "forkopimda.discarded_suggestions"


@login_required
def suggestion_list(request):
    """The drafts the risk picture of a region supports; accept (after editing) or discard
    each. A discarded one stays hidden for this session."""
    require(request.user, "draft")
    region = _suggestion_region(request)
    skipped = request.session.get(SKIP_KEY, {}).get(region.code, [])
    meeting = None
    meeting_pk = request.GET.get("meeting") or request.POST.get("meeting")
    if meeting_pk and str(meeting_pk).isdigit():
        meeting = selectors.meeting_detail(user=request.user, pk=int(meeting_pk))
    found = selectors.suggestions_for(user=request.user, region=region, skip=set(skipped))
    if request.method == "POST":
        key = request.POST.get("key", "")
        chosen = next((s for s in found if s.key == key), None)
        if chosen is None:
            messages.error(request, _("This suggestion is no longer supported by the figures."))
        elif request.POST.get("decision") == "discard":
            store = request.session.get(SKIP_KEY, {})
            store.setdefault(region.code, []).append(key)
            request.session[SKIP_KEY] = store
            messages.success(request, _("Suggestion discarded."))
        else:
            form = forms.RecommendationForm(request.POST, prefix=key)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    rec = services.suggestion_accept(
                        by=request.user, region=region,
                        suggestion=chosen, title=data["title"], text=data["text"],
                        institutions=list(data["institutions"]), deadline=data["deadline"],
                        meeting=meeting,
                        incidents=selectors.suggestion_incidents(
                            user=request.user, region=region, category=chosen.category),
                    )
                except ValidationError as exc:
                    messages.error(request, _error_text(exc))
                else:
                    messages.success(request, _("Draft recommendation created."))
                    return redirect("forkopimda:recommendation_detail", pk=rec.pk)
            else:
                messages.error(request, " ".join(str(m) for errors in form.errors.values()
                                                 for m in errors))
        url = f"{reverse('forkopimda:suggestion_list')}?region={region.code}"
        return redirect(f"{url}&meeting={meeting.pk}" if meeting else url)
    cards = [(s, forms.RecommendationForm(prefix=s.key, initial={
        "title": s.title, "text": s.text, "institutions": list(s.institutions),
        "deadline": forms.default_deadline(), "regions": region.code}))
        for s in found]
    return render(request, "forkopimda/suggestion_list.html", {
        "region": region, "cards": cards, "meeting": meeting, "skipped": len(skipped)})


# --- Situation reports ----------------------------------------------------------------------

@login_required
def situation_report(request):
    """The situation report of a region: download it now, or (un)subscribe to the weekly
    e-mail."""
    require(request.user, "export")
    region = _suggestion_region(request)
    if request.method == "POST":
        _report(request, lambda: services.subscription_set(
            by=request.user, region=region, subscribed=request.POST.get("subscribe") == "1"),
            _("Subscription saved."))
        return redirect(f"{reverse('forkopimda:situation_report')}?region={region.code}")
    if request.GET.get("download"):
        situation = selectors.situation_report(user=request.user, region=region)
        response = HttpResponse(documents.render_situation_pdf(situation),
                                content_type="application/pdf")
        response["Content-Disposition"] = \
            f'attachment; filename="{documents.situation_filename(situation)}"'
        response["Cache-Control"] = "private, no-store"
        return response
    subscribed = request.user.report_subscriptions.filter(region=region).exists()
    return render(request, "forkopimda/situation_report.html", {
        "region": region, "subscribed": subscribed, "has_email": bool(request.user.email)})


# --- Meeting attachments ------------------------------------------------------------------

@login_required
@require_POST
def meeting_attachment_add(request, pk: int):
    meeting = _found(selectors.meeting_detail(user=request.user, pk=pk))
    form = forms.AttachmentForm(request.POST, request.FILES)

    def attach():
        data = _valid(form, _("Choose a file to attach."))
        services.attachment_add(meeting=meeting, by=request.user, upload=data["file"],
                                description=data["description"])

    _report(request, attach, _("File attached."))
    return redirect(f"{reverse('forkopimda:meeting_detail', args=[pk])}#attachments")


@login_required
@require_GET
def meeting_attachment_download(request, pk: int):
    """A meeting's file, only through the scoping rule (MEDIA_ROOT is served by no URL)."""
    return attachment_response(_found(selectors.attachment_get(user=request.user, pk=pk)))
