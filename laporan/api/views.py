"""The incident API: incidents and their workflow, referrals and evidence.

Every queryset passes through the scoping rule (``ScopedViewSetMixin``), so a record outside
the caller's jurisdiction or above their classification is a 404. Every write calls a
``laporan.services`` function; its ``ValidationError`` becomes a 400 with the messages per
field, its ``PermissionDenied`` a 403.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import fields as dataclass_fields

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from kewaspadaan.api.pagination import CodeCursorPagination
from kewaspadaan.api.views import ScopedViewSetMixin
from laporan import confidential, selectors, services
from laporan.api.serializers import (
    AssignSerializer,
    DuplicateSerializer,
    EvidenceSerializer,
    HistoryEntrySerializer,
    IncidentSerializer,
    MergeSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
    ReferralSerializer,
    ReferralUpdateSerializer,
    TimelineEntrySerializer,
    VerifySerializer,
)
from laporan.filetypes import ALLOWED_TYPES
from laporan.filtersets import EvidenceFilterSet, IncidentFilterSet, ReferralFilterSet
from laporan.models import AccessLog, Evidence, Incident, IncidentActor, Referral

# The cursor needs a fixed ordering: no ?ordering= on these lists (OrderingFilter is off).
FILTERS_ONLY = [DjangoFilterBackend]

INCIDENT_FIELDS = [f.name for f in dataclass_fields(services.IncidentData)]


def _error_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
            for name, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


@contextmanager
def service_errors():
    """Turn the services' Django exceptions into DRF's (400 per field, 403)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(_error_detail(exc)) from exc
    except DjangoPermissionDenied as exc:
        # The services' messages are translated and name no hidden record: keep them.
        raise exceptions.PermissionDenied(str(exc) or None) from exc


class PassthroughRenderer(BaseRenderer):
    """Lets a download answer any Accept header (the view returns the file itself); an
    error on the way is still sent as JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = JSONRenderer.media_type
        return JSONRenderer().render(data, renderer_context=renderer_context)


# --- Incidents ----------------------------------------------------------------------------

class IncidentPagination(CodeCursorPagination):
    ordering = ("-occurred_at", "-id")
    page_size = 50


def _incident_data(serializer: IncidentSerializer, incident: Incident | None = None
                   ) -> services.IncidentData:
    """The service's input from validated data. On an update, what the client leaves out
    keeps its value (as DRF's own ``update`` does), so a PUT without ``classification`` or
    the unreadable ``informant`` never declassifies or erases them."""
    values = dict(serializer.validated_data)
    values.pop("reason", None)
    actors = values.pop("actors", None)
    if incident is not None:
        current = {name: getattr(incident, name) for name in INCIDENT_FIELDS if name != "actors"}
        if ("indicator" in values and "athg" not in values
                and incident.athg == incident.indicator.athg):
            # An ATHG class nobody overrode follows the new indicator's default.
            current["athg"] = ""
        values = {**current, **values}
        if actors is None:
            actors = [{"actor_type": a.actor_type, "count": a.count,
                       "description": a.description} for a in incident.actors.all()]
    return services.IncidentData(
        **values,
        actors=[services.ActorData(**actor) for actor in actors or []],
    )


@extend_schema_view(
    list=extend_schema(summary="List incidents", description="Newest event first."),
    retrieve=extend_schema(summary="One incident"),
    create=extend_schema(summary="Log an incident (as a draft)"),
    update=extend_schema(summary="Edit an incident"),
    partial_update=extend_schema(summary="Edit some fields of an incident"),
)
class IncidentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Incidents (laporan kejadian) of the caller's jurisdiction and classification, with
    their workflow: draft > submitted > verified | rejected | merged > follow-up > closed."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = IncidentPagination

    def base_queryset(self):
        # The lists' four joins, the rest by prefetch: the planner's cost of a wider join
        # (200+ ms at eleven tables) dwarfed the query itself.
        return selectors.incident_base().prefetch_related(
            *selectors.INCIDENT_PREFETCH, "election", "verified_by", "stages",
            Prefetch("actors", queryset=IncidentActor.objects.order_by("id")),
        )

    def _log(self, incidents) -> None:
        confidential.record_access(request=self.request, kind=AccessLog.Kind.VIEW_API,
                                   incidents=incidents)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._shown = page
        return page

    def list(self, request, *args, **kwargs):
        self._shown = None
        response = super().list(request, *args, **kwargs)
        self._log(self._shown or [])
        return response

    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        self._log([incident])
        return Response(self.get_serializer(incident).data)

    def _respond(self, incident: Incident, status_code: int = status.HTTP_200_OK) -> Response:
        # Re-read through the scoped queryset: the response shows what the caller may see.
        fresh = self.get_queryset().get(pk=incident.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_create(by=request.user,
                                                data=_incident_data(serializer))
        return self._respond(incident, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        incident = self.get_object()
        serializer = self.get_serializer(incident, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_update(
                incident=incident, by=request.user, data=_incident_data(serializer, incident),
                reason=serializer.validated_data.get("reason", ""),
            )
        return self._respond(incident)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(request=None, responses=IncidentSerializer, summary="Submit a draft")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        incident = self.get_object()
        with service_errors():
            incident = services.incident_submit(incident=incident, by=request.user)
        return self._respond(incident)

    @extend_schema(request=VerifySerializer, responses=IncidentSerializer,
                   summary="Verify, grading the source (A-F) and information (1-6)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        incident = self.get_object()
        body = VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_verify(
                incident=incident, by=request.user,
                reliability=body.validated_data["reliability"],
                credibility=body.validated_data["credibility"],
                reason=body.validated_data["reason"],
            )
        return self._respond(incident)

    @extend_schema(request=ReasonSerializer, responses=IncidentSerializer,
                   summary="Reject a submitted incident")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        incident = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_reject(incident=incident, by=request.user,
                                                reason=body.validated_data["reason"])
        return self._respond(incident)

    @extend_schema(request=MergeSerializer, responses=IncidentSerializer,
                   summary="Merge this incident, a duplicate, into another")
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        incident = self.get_object()
        body = MergeSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_merge(
                duplicate=incident, into=body.validated_data["into"], by=request.user,
                reason=body.validated_data["reason"],
            )
        return self._respond(incident)

    @extend_schema(request=OptionalReasonSerializer, responses=IncidentSerializer,
                   summary="Start the follow-up of a verified incident")
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request, pk=None):
        incident = self.get_object()
        body = OptionalReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_start_follow_up(
                incident=incident, by=request.user, reason=body.validated_data["reason"]
            )
        return self._respond(incident)

    @extend_schema(request=ReasonSerializer, responses=IncidentSerializer,
                   summary="Close an incident, saying how it was settled")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        incident = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_close(incident=incident, by=request.user,
                                               reason=body.validated_data["reason"])
        return self._respond(incident)

    @extend_schema(request=AssignSerializer, responses=IncidentSerializer,
                   summary="Assign to an analyst (or unassign with null)")
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        incident = self.get_object()
        body = AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            incident = services.incident_assign(
                incident=incident, assignee=body.validated_data["assignee"], by=request.user
            )
        return self._respond(incident)

    @extend_schema(responses=DuplicateSerializer(many=True),
                   summary="Likely duplicates the caller may see")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def duplicates(self, request, pk=None):
        incident = self.get_object()
        found = selectors.incident_duplicates(incident=incident, user=request.user)
        return Response(DuplicateSerializer(found, many=True,
                                            context=self.get_serializer_context()).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True),
                   summary="Every saved version with what changed, newest first")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        incident = self.get_object()
        self._log([incident])
        entries = selectors.incident_history(incident=incident, user=request.user)
        return Response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(responses=TimelineEntrySerializer(many=True),
                   summary="Status changes, referrals and evidence, oldest first")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request, pk=None):
        incident = self.get_object()
        self._log([incident])
        entries = selectors.incident_timeline(incident=incident)
        return Response(TimelineEntrySerializer(entries, many=True).data)


# --- Referrals ----------------------------------------------------------------------------

class NewestFirstPagination(CodeCursorPagination):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(summary="List referrals", description="`overdue=true` gives the "
                       "open referrals past their statutory deadline."),
    retrieve=extend_schema(summary="One referral"),
    create=extend_schema(summary="Record a referral of a verified incident"),
    partial_update=extend_schema(request=ReferralUpdateSerializer,
                                 responses=ReferralSerializer,
                                 summary="Record the status or outcome of a referral"),
)
class ReferralViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Referrals (tindak lanjut) of incidents to institutions, with statutory deadlines."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = NewestFirstPagination

    def base_queryset(self):
        return Referral.objects.select_related("incident", "institution", "created_by")

    def _respond(self, referral: Referral, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=referral.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            referral = services.referral_create(
                incident=data["incident"], by=request.user, institution=data["institution"],
                subject=data["subject"], count=data["count"], referred_on=data["referred_on"],
                notes=data.get("notes", ""),
            )
        return self._respond(referral, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        referral = self.get_object()
        body = ReferralUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        new_status = data.get("status", referral.status)
        # An edit of the outcome alone keeps the decision date; a status change lets the
        # service set it.
        kept_date = referral.decided_on if new_status == referral.status else None
        with service_errors():
            referral = services.referral_update(
                referral=referral, by=request.user, status=new_status,
                outcome=data.get("outcome", referral.outcome),
                decided_on=data.get("decided_on", kept_date),
            )
        return self._respond(referral)


# --- Evidence -----------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="List evidence files (metadata)"),
    retrieve=extend_schema(summary="One evidence file's metadata"),
    create=extend_schema(summary="Upload an evidence file (multipart/form-data)"),
)
class EvidenceViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Photos, screenshots and PDFs attached to incidents. Files are served only by
    ``download``, which applies the same scoping rule."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilterSet
    filter_backends = FILTERS_ONLY
    pagination_class = NewestFirstPagination
    parser_classes = [MultiPartParser]

    def base_queryset(self):
        return Evidence.objects.select_related("incident", "uploaded_by")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            evidence = services.evidence_add(
                incident=data["incident"], by=request.user, upload=data["file"],
                description=data.get("description", ""),
            )
        fresh = self.get_queryset().get(pk=evidence.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the file, as an attachment",
        responses={
            **{(200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
               for content_type in sorted(ALLOWED_TYPES)},
            404: OpenApiResponse(description="Not found, or not visible to the caller."),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PassthroughRenderer],
            pagination_class=None, filter_backends=[])
    def download(self, request, pk=None):
        evidence = self.get_object()
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as exc:
            raise exceptions.NotFound() from exc
        confidential.record_access(request=request, kind=AccessLog.Kind.DOCUMENT,
                                   incidents=[evidence.incident])
        response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                                content_type=evidence.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
