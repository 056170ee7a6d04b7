"""Pages of the core: home, regions, elections, and the health probes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kewaspadaan import selectors
from kewaspadaan.choices import Channel, RegionLevel
from kewaspadaan.filtersets import AlertFilterSet, ContestFilterSet, RegionFilterSet
from kewaspadaan.models import AlertDelivery, Region
from kewaspadaan.services import risk


def _today_in(region: Region | None) -> dt.date:
    if region is None:
        return timezone.localdate()  # nationwide users read the calendar in WIB
    return selectors.local_date(region=region, at=timezone.now())


@login_required
def home(request):
    user = request.user
    region = user.jurisdiction
    today = _today_in(region)
    election = selectors.election_current(on=today)
    stages = list(election.stages.order_by("order")) if election else []
    running = set(
        selectors.stages_on(election=election, day=today).values_list("pk", flat=True)
    ) if election else set()
    regions_by_level = dict(
        selectors.region_list(user=user)
        .exclude(code__in=region.ancestor_codes if region else [])
        .values_list("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    contests_by_kind = (
        dict(
            selectors.contest_list(user=user)
            .filter(election=election)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        if election
        else {}
    )
    return render(
        request,
        "kewaspadaan/home.html",
        {
            "region": region,
            "today": today,
            "election": election,
            "stages": stages,
            "running": running,
            "regions_by_level": [
                (label, regions_by_level.get(level, 0))
                for level, label in RegionLevel.choices
                if regions_by_level.get(level)
            ],
            "contests_by_kind": contests_by_kind,
            "contest_total": sum(contests_by_kind.values()),
        },
    )


@login_required
def region_list(request):
    user = request.user
    if not request.GET.get("q"):
        if user.jurisdiction_id:
            return redirect("kewaspadaan:region_detail", code=user.jurisdiction_id)
        regions = selectors.region_list(user=user).filter(level=RegionLevel.PROVINCE)
        return render(
            request, "kewaspadaan/region_list.html",
            {"page": Paginator(regions.defer("boundary"), 100).get_page(1), "filterset": None},
        )
    filterset = RegionFilterSet(request.GET, queryset=selectors.region_list(user=user))
    page = Paginator(filterset.qs.defer("boundary").select_related("parent"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "kewaspadaan/region_list.html", {"page": page, "filterset": filterset})


@login_required
def region_detail(request, code: str):
    user = request.user
    region = get_object_or_404(
        selectors.region_list(user=user).defer("boundary").select_related("parent"), code=code
    )
    ancestors = list(
        selectors.region_list(user=user).filter(code__in=region.ancestor_codes).order_by("code")
    )
    children = selectors.region_list(user=user).filter(parent=region).defer("boundary")
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    contests = selectors.contest_list(user=user).filter(region=region)
    return render(
        request,
        "kewaspadaan/region_detail.html",
        {"region": region, "ancestors": ancestors, "page": page, "contests": contests},
    )


@login_required
def election_list(request):
    elections = selectors.election_list(user=request.user).annotate(
        stage_count=Count("stages", distinct=True)
    )
    return render(request, "kewaspadaan/election_list.html", {"elections": elections})


@login_required
def election_detail(request, pk: int):
    user = request.user
    election = get_object_or_404(selectors.election_list(user=user), pk=pk)
    today = _today_in(user.jurisdiction)
    running = set(selectors.stages_on(election=election, day=today).values_list("pk", flat=True))
    filterset = ContestFilterSet(
        request.GET, queryset=selectors.contest_list(user=user).filter(election=election)
    )
    page = Paginator(filterset.qs.order_by("region_id", "kind"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "kewaspadaan/election_detail.html",
        {
            "election": election,
            "stages": election.stages.order_by("order"),
            "running": running,
            "today": today,
            "filterset": filterset,
            "page": page,
        },
    )


@login_required
def alert_list(request):
    """Early warnings of the user's jurisdiction; opening the page marks the user's portal
    notifications read."""
    user = request.user
    filterset = AlertFilterSet(request.GET, queryset=selectors.alert_list(user=user))
    page = Paginator(filterset.qs.order_by("-created_at", "-id"), 30).get_page(
        request.GET.get("page"))
    AlertDelivery.objects.filter(recipient=user, channel=Channel.PORTAL,
                                 read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "kewaspadaan/alert_list.html", {
        "filterset": filterset, "page": page,
        "can_handle": risk.can_handle_alerts(user),
    })


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    user = request.user
    alert = get_object_or_404(selectors.alert_list(user=user), pk=pk)
    if action == "acknowledge":
        try:
            risk.alert_acknowledge(alert=alert, by=user)
        except risk.AlertResolved:  # resolved meanwhile, from a page now stale
            messages.info(request, _("Alert resolved."))
        else:
            messages.success(request, _("Alert acknowledged."))
    else:
        risk.alert_resolve(alert=alert, by=user)
        messages.success(request, _("Alert resolved."))
    return redirect(request.POST.get("next") or "kewaspadaan:alert_list")


@require_GET
@never_cache
def healthz(request):
    """The process is alive. No dependency is checked, so a database outage does not restart
    every web process at once."""
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return {"status": "error", "error": exc.__class__.__name__}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "in-process"}
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
        return {"status": "ok", "mode": "redis"}
    except redis.RedisError as exc:
        return {"status": "error", "mode": "redis", "error": exc.__class__.__name__}


def _check_workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "in-process", "workers": []}
    import redis

    from kewaspadaan import heartbeat

    try:
        workers = heartbeat.live_workers()
    except redis.RedisError as exc:
        return {"status": "error", "error": exc.__class__.__name__, "workers": []}
    if not workers:
        return {"status": "error", "error": "no worker heartbeat", "workers": []}
    return {"status": "ok", "workers": [w["hostname"] for w in workers]}


@require_GET
@never_cache
def readyz(request):
    """Database, broker and worker status; 503 when any of them is not ready."""
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        "worker": _check_workers(),
    }
    ready = all(c["status"] == "ok" for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", "checks": checks}, status=200 if ready else 503
    )
