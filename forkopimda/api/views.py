"""The forum, meeting and recommendation API.

Every queryset passes through the scoping rule (``ScopedViewSetMixin``): a record outside the
caller's jurisdiction is a 404. Every write calls a ``forkopimda.services`` function; its
``ValidationError`` becomes a 400 with the messages per field, its ``PermissionDenied`` a 403.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from forkopimda import documents, services
from forkopimda.api.serializers import (
    AcknowledgeSerializer,
    AttachmentSerializer,
    DeadlineSerializer,
    DistributionSerializer,
    ForumSerializer,
    MeetingSerializer,
    MemberSerializer,
    ProgressNoteSerializer,
    RecommendationSerializer,
)
from forkopimda.filtersets import ForumFilterSet, MeetingFilterSet, RecommendationFilterSet
from forkopimda.models import (
    Distribution,
    Forum,
    ForumMember,
    Meeting,
    MeetingAttachment,
    MeetingParticipant,
    ProgressNote,
    Recommendation,
    RecommendationTransition,
)
from forkopimda.permissions import can
from kewaspadaan.api.pagination import CodeCursorPagination
from kewaspadaan.api.views import ScopedViewSetMixin
from kewaspadaan.models import Region
from laporan.api.serializers import OptionalReasonSerializer, ReasonSerializer
from laporan.api.views import FILTERS_ONLY, PassthroughRenderer, service_errors


class NewestFirstPagination(CodeCursorPagination):
    ordering = "-id"
    page_size = 50


def _member_data(values: dict) -> services.MemberData:
    return services.MemberData(
        office=values.get("office", ""), position=values.get("position", "member"),
        person_name=values.get("person_name", ""), institution=values.get("institution"),
        email=values.get("email", ""), phone=values.get("phone", ""),
        order=values.get("order", 0),
    )


# --- Forums -------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List forums"),
    retrieve=extend_schema(summary="One forum with its members"),
    create=extend_schema(summary="Create a forum with its members"),
    partial_update=extend_schema(summary="Edit a forum (members through /members/)"),
)
class ForumViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):
    """Forums of the caller's jurisdiction (Forkopimda, Tim Terpadu, Desk Pilkada, Tim
    Kewaspadaan Dini, FKDM) with their member offices, positions and contacts."""

    serializer_class = ForumSerializer
    filterset_class = ForumFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = NewestFirstPagination
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self):
        return Forum.objects.select_related("region").defer("region__boundary") \
            .prefetch_related(Prefetch("members", queryset=ForumMember.objects.select_related(
                "institution").order_by("order", "id")))

    def _respond(self, forum, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=forum.pk)).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            forum = services.forum_create(
                by=request.user, region=data["region"], kind=data["kind"], name=data["name"],
                legal_basis=data.get("legal_basis", ""), notes=data.get("notes", ""),
                members=[_member_data(m) for m in data.get("members", [])],
            )
        return self._respond(forum, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        forum = self.get_object()
        serializer = self.get_serializer(forum, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            forum = services.forum_update(
                forum=forum, by=request.user, kind=data.get("kind", forum.kind),
                name=data.get("name", forum.name),
                legal_basis=data.get("legal_basis", forum.legal_basis),
                notes=data.get("notes", forum.notes),
                is_active=data.get("is_active", forum.is_active),
            )
        return self._respond(forum)

    @extend_schema(request=MemberSerializer, responses={201: ForumSerializer},
                   summary="Add a member office")
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        forum = self.get_object()
        body = MemberSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.forum_member_add(forum=forum, by=request.user,
                                      data=_member_data(body.validated_data))
        return self._respond(forum, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Remove a member office")
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)",
            url_name="member-remove")
    def remove_member(self, request, pk=None, member_id=None):
        forum = self.get_object()
        member = forum.members.filter(pk=member_id).first()
        if member is None:
            raise exceptions.NotFound()
        with service_errors():
            services.forum_member_remove(member=member, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Meetings -----------------------------------------------------------------------------

def _meeting_data(values: dict, meeting: Meeting | None = None) -> services.MeetingData:
    """The service's input; on a partial update what the client leaves out keeps its value."""
    if meeting is not None:
        current = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
        current["forum"] = meeting.forum
        current["participants"] = [{"office": p.office, "person_name": p.person_name}
                                   for p in meeting.participants.all()]
        for name in ("regions", "indicators", "incidents", "alerts"):
            current[name] = list(getattr(meeting, name).all())
        values = {**current, **values}
    values = dict(values)
    participants = [services.ParticipantData(office=p.get("office", ""),
                                             person_name=p.get("person_name", ""))
                    for p in values.pop("participants", [])]
    return services.MeetingData(participants=participants, **{
        name: values.get(name, "") for name in ("forum", *services.MEETING_FIELDS)
    }, **{name: values.get(name, []) for name in ("regions", "indicators", "incidents",
                                                   "alerts")})


# Not ``format``: DRF reads that one to choose a renderer.
FORMAT_PARAM = OpenApiParameter("type", str, enum=["pdf", "docx"], required=False,
                                description="pdf (default) or docx")


@extend_schema_view(
    list=extend_schema(summary="List meetings", description="Newest first."),
    retrieve=extend_schema(summary="One meeting"),
    create=extend_schema(summary="Record a meeting (FGD, rakor)"),
    update=extend_schema(summary="Edit a meeting"),
    partial_update=extend_schema(summary="Edit some fields of a meeting"),
)
class MeetingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Meetings of forums (FGD, rakor): leader, time, place, topic, participants, minutes,
    and the regions, indicators, incidents and alerts discussed."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = NewestFirstPagination

    def base_queryset(self):
        return Meeting.objects.select_related("forum").prefetch_related(
            Prefetch("participants", queryset=MeetingParticipant.objects.order_by("order", "id")),
            Prefetch("regions", queryset=Region.objects.only("code")),
            "indicators", "incidents", "alerts",
            Prefetch("recommendations", queryset=Recommendation.objects.only("id", "meeting")),
            "attachments",
        )

    def _respond(self, meeting, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=meeting.pk)).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            meeting = services.meeting_create(by=request.user,
                                              data=_meeting_data(serializer.validated_data))
        return self._respond(meeting, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        meeting = self.get_object()
        serializer = self.get_serializer(meeting, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            meeting = services.meeting_update(
                meeting=meeting, by=request.user,
                data=_meeting_data(serializer.validated_data, meeting))
        return self._respond(meeting)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(request={"multipart/form-data": AttachmentSerializer},
                   responses={201: MeetingSerializer}, summary="Attach a photo or PDF")
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        meeting = self.get_object()
        body = AttachmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.attachment_add(meeting=meeting, by=request.user,
                                    upload=body.validated_data["file"],
                                    description=body.validated_data.get("description", ""))
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(summary="Download an attachment",
                   responses={(200, "application/octet-stream"):
                              OpenApiResponse(OpenApiTypes.BINARY)})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)",
            url_name="attachment-download",
            renderer_classes=[JSONRenderer, PassthroughRenderer],
            pagination_class=None, filter_backends=[])
    def attachment_download(self, request, pk=None, attachment_id=None):
        meeting = self.get_object()
        attachment = meeting.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise exceptions.NotFound()
        return attachment_response(attachment)

    @extend_schema(
        parameters=[FORMAT_PARAM], summary="The official recommendation document (PDF/DOCX)",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, documents.DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PassthroughRenderer],
            pagination_class=None, filter_backends=[])
    def document(self, request, pk=None):
        meeting = self.get_object()
        if not can(request.user, "export"):
            raise exceptions.PermissionDenied()
        kind = request.query_params.get("type", "pdf")
        if kind not in ("pdf", "docx"):
            raise exceptions.ValidationError({"type": ["pdf, docx"]})
        return document_response(meeting, kind)


def attachment_response(attachment: MeetingAttachment) -> FileResponse:
    """A meeting's file as a download that no browser renders (pages and API share it);
    a file missing from the storage is a 404."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def document_response(meeting: Meeting, kind: str) -> HttpResponse:
    """The meeting's official document as a download (pages and API share it)."""
    document = documents.meeting_document(meeting=meeting)
    if kind == "docx":
        body, content_type = documents.render_docx(document), documents.DOCX_TYPE
    else:
        body, content_type = documents.render_pdf(document), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = \
        f'attachment; filename="{documents.filename(meeting=meeting, extension=kind)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Recommendations ----------------------------------------------------------------------

def _recommendation_data(values: dict, rec: Recommendation | None = None
                         ) -> services.RecommendationData:
    names = ("title", "text", "meeting", "region", "rationale", "deadline", "addressees",
             "score_changes")
    lists = ("regions", "indicators", "institutions", "incidents")
    if rec is not None:
        current = {name: getattr(rec, name) for name in names}
        current.update({name: list(getattr(rec, name).all()) for name in lists})
        values = {**current, **values}
    data = {name: values[name] for name in (*names, *lists) if name in values}
    return services.RecommendationData(title=data.pop("title", ""), text=data.pop("text", ""),
                                       **data)


@extend_schema_view(
    list=extend_schema(summary="List recommendations",
                       description="`overdue=true`: open ones past their deadline."),
    retrieve=extend_schema(summary="One recommendation with progress, distribution and "
                                   "history"),
    create=extend_schema(summary="Draft a recommendation"),
    update=extend_schema(summary="Edit a draft or approved recommendation"),
    partial_update=extend_schema(summary="Edit some fields of a draft or approved one"),
    destroy=extend_schema(summary="Discard a draft"),
)
class RecommendationViewSet(ScopedViewSetMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recommendations with their lifecycle: draft > approved > issued (with an official
    number) > in progress > done, or cancelled."""

    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = NewestFirstPagination

    def base_queryset(self):
        return Recommendation.objects.select_related("region").defer("region__boundary") \
            .prefetch_related(
                Prefetch("regions", queryset=Region.objects.only("code")),
                "indicators", "institutions", "incidents",
                Prefetch("progress_notes", queryset=ProgressNote.objects.select_related(
                    "institution", "author")),
                Prefetch("distributions", queryset=Distribution.objects.select_related(
                    "institution")),
                Prefetch("transitions", queryset=RecommendationTransition.objects
                         .select_related("by")),
            )

    def _respond(self, rec, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=rec.pk)).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            rec = services.recommendation_create(
                by=request.user, data=_recommendation_data(serializer.validated_data))
        return self._respond(rec, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        rec = self.get_object()
        serializer = self.get_serializer(rec, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            rec = services.recommendation_update(
                recommendation=rec, by=request.user,
                data=_recommendation_data(serializer.validated_data, rec))
        return self._respond(rec)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        rec = self.get_object()
        with service_errors():
            services.recommendation_discard(recommendation=rec, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _step(self, service, **kwargs):
        rec = self.get_object()
        with service_errors():
            rec = service(recommendation=rec, by=self.request.user, **kwargs)
        return self._respond(rec)

    @extend_schema(request=None, responses=RecommendationSerializer,
                   summary="Approve a draft (the forum agreed)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(services.recommendation_approve)

    @extend_schema(request=None, responses=RecommendationSerializer,
                   summary="Issue under the next official number")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return self._step(services.recommendation_issue)

    @extend_schema(request=OptionalReasonSerializer, responses=RecommendationSerializer,
                   summary="Mark as in progress")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        body = OptionalReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.recommendation_start, reason=body.validated_data["reason"])

    @extend_schema(request=OptionalReasonSerializer, responses=RecommendationSerializer,
                   summary="Mark as done")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        body = OptionalReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.recommendation_complete,
                          reason=body.validated_data["reason"])

    @extend_schema(request=ReasonSerializer, responses=RecommendationSerializer,
                   summary="Cancel, saying why")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.recommendation_cancel, reason=body.validated_data["reason"])

    @extend_schema(request=DeadlineSerializer, responses=RecommendationSerializer,
                   summary="Move the deadline, saying why")
    @action(detail=True, methods=["post"])
    def deadline(self, request, pk=None):
        body = DeadlineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(services.recommendation_set_deadline, **body.validated_data)

    @extend_schema(request=ProgressNoteSerializer, responses={201: RecommendationSerializer},
                   summary="Record progress by an addressed institution")
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        rec = self.get_object()
        body = ProgressNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            services.progress_note_add(recommendation=rec, by=request.user, text=data["text"],
                                       institution=data.get("institution"),
                                       office=data.get("office", ""))
        return self._respond(rec, status.HTTP_201_CREATED)

    @extend_schema(request=DistributionSerializer, responses={201: RecommendationSerializer},
                   summary="Log that the recommendation was sent to an office")
    @action(detail=True, methods=["post"])
    def distributions(self, request, pk=None):
        rec = self.get_object()
        body = DistributionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with service_errors():
            services.distribution_record(
                recommendation=rec, by=request.user, recipient=data["recipient"],
                channel=data["channel"], institution=data.get("institution"),
                sent_at=data.get("sent_at"))
        return self._respond(rec, status.HTTP_201_CREATED)

    @extend_schema(request=AcknowledgeSerializer, responses=RecommendationSerializer,
                   summary="Record that an office acknowledged receipt")
    @action(detail=True, methods=["post"],
            url_path=r"distributions/(?P<distribution_id>\d+)/acknowledge",
            url_name="acknowledge")
    def acknowledge(self, request, pk=None, distribution_id=None):
        rec = self.get_object()
        distribution = rec.distributions.filter(pk=distribution_id).first()
        if distribution is None:
            raise exceptions.NotFound()
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.distribution_acknowledge(
                distribution=distribution, by=request.user,
                acknowledged_by=body.validated_data["acknowledged_by"])
        return self._respond(rec)
