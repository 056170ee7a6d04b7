"""Dashboard pages of Forkopimda and the Tim Terpadu (issue 5): one per jurisdiction level,
its map data, its figures as CSV and the self-refreshing election-day view.

The views translate HTTP to ``forkopimda.dashboard_selectors``; which dashboards a user may
open is the one jurisdiction rule (``dashboard_region``), never a check written here.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from forkopimda import dashboard_selectors as selectors
from forkopimda.dashboard_forms import DashboardPeriodForm
from kewaspadaan.choices import RegionLevel, RiskLevel
from kewaspadaan.db_routers import reads_from_replica
from kewaspadaan.models import Region
from kewaspadaan.scoping import ancestor_codes, can_see_region
from kewaspadaan.services.reference import BOUNDARY_VERSION_KEY
from kewaspadaan.services.risk import can_handle_alerts
from laporan.transfer import neutralise

MAP_CACHE_SECONDS = 60 * 60
LEVELS = [(RiskLevel.TINGGI, "tinggi"), (RiskLevel.SEDANG, "sedang"),
          (RiskLevel.RENDAH, "rendah")]


def _region_or_404(user, code: str):
    try:
        return selectors.dashboard_region(user=user, code=code)
    except LookupError:
        raise Http404(_("No dashboard of that region in your jurisdiction.")) from None


def _period(request, region):
    form = DashboardPeriodForm(request.GET or None)
    period = selectors.period_for(region=region, election_id=request.GET.get("election"),
                                  stage=form.value("stage") if form.is_bound else None,
                                  day=form.value("day") if form.is_bound else None)
    if form.is_bound:
        form.check_stage(period)
    gap = form.value("gap") if form.is_bound else None
    return form, period, gap


def _breadcrumbs(user, region) -> list[dict]:
    """Links up to the highest dashboard the user may open."""
    crumbs = []
    if user.jurisdiction_id is None:
        crumbs.append({"code": selectors.NATIONAL, "name": _("Indonesia")})
    if region is None:
        return crumbs
    codes = [c for c in ancestor_codes(region.code) if can_see_region(user, c)]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    crumbs += [{"code": c, "name": names.get(c, c)} for c in codes]
    crumbs.append({"code": region.code, "name": region.name})
    return crumbs


@login_required
@require_GET
def dashboard_home(request):
    """The dashboard of the user's own jurisdiction."""
    return redirect("forkopimda:dashboard_detail", code=selectors.home_code(request.user))


def _scope_label(region) -> str:
    if region is None:
        return _("Indonesia")
    return region.name


@login_required
@require_GET
@reads_from_replica
def dashboard_detail(request, code: str):
    user = request.user
    region = _region_or_404(user, code)
    form, period, gap = _period(request, region)
    data = selectors.dashboard(user=user, region=region, period=period, gap_days=gap)
    level = 0 if region is None else region.level
    child_level = {0: _("Provinces"), RegionLevel.PROVINCE: _("Kabupaten/kota"),
                   RegionLevel.KABKOTA: _("Kecamatan")}[level]
    query = request.GET.urlencode()
    chart = {
        "trend": [{"day": p["day"].isoformat(), "total": p["total"], "level": p["level"]}
                  for p in data["trend"]],
        "stages": [{"name": s.name, "start": s.start_date.isoformat(),
                    "end": (s.end_date or s.start_date).isoformat()}
                   for s in period.stages if s.start_date],
        "athg": ({c: data["current"][c] for c in ("ancaman", "tantangan", "hambatan",
                                                   "gangguan")}
                 if data["current"] else None),
        "regions": {r["code"]: {"name": r["name"], "total": r.get("total"),
                                "level": r.get("level_code", ""),
                                "incidents": r.get("incidents"),
                                "drill": not data["is_kabkota"]}
                    for r in data["rows"]},
        "urls": {
            "map": reverse("forkopimda:dashboard_map", args=[code]),
            "dashboard": reverse("forkopimda:dashboard_detail", args=["CODE"]),
        },
        "query": query,
        "day": period.day.isoformat(),
        "labels": {
            "score": _("Score (0-100)"), "stage": _("Stage"),
            "levels": {"tinggi": _("High"), "sedang": _("Medium"), "rendah": _("Low"),
                       "": _("No score")},
            "athg": {"ancaman": _("Ancaman"), "tantangan": _("Tantangan"),
                     "hambatan": _("Hambatan"), "gangguan": _("Gangguan")},
            "incidents": _("incidents"), "open": _("Open dashboard"),
            "no_map": _("No map data for these regions."),
        },
    }
    return render(request, "forkopimda/dashboard_detail.html", {
        "region": region,
        "code": code,
        "scope_label": _scope_label(region),
        "level": level,
        "child_level": child_level,
        "crumbs": _breadcrumbs(user, region),
        "form": form,
        "period": period,
        "data": data,
        "chart": chart,
        "query": query,
        "can_handle": can_handle_alerts(user),
        "risk_levels": LEVELS,
        "today_in_election_days": period.today_in_election_days,
    })


@login_required
@require_GET
@reads_from_replica
def dashboard_map(request, code: str):
    """The map's shapes (or centroid points), scoped to the user and cached per region: the
    boundaries change only when an administrator imports new ones."""
    region = _region_or_404(request.user, code)
    version = cache.get(BOUNDARY_VERSION_KEY, "0")
    key = f"forkopimda:dashboard-map:{version}:{code}:{request.user.jurisdiction_id or ''}"
    data = cache.get(key)
    if data is None:
        data = selectors.map_features(user=request.user, region=region)
        cache.set(key, data, MAP_CACHE_SECONDS)
    response = JsonResponse(data)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- CSV ----------------------------------------------------------------------------------

def _csv_rows(figure: str, data: dict) -> tuple[list[str], list[list]]:
    if figure == "regions":
        if data["is_kabkota"]:
            return ([_("Code"), _("Kecamatan"), _("Incidents"), _("Verified"),
                     _("Last 7 days")],
                    [[r["code"], r["name"], r["incidents"], r["verified"], r["last7"]]
                     for r in data["rows"]])
        return ([_("Code"), _("Region"), _("Score (0-100)"), _("Level"),
                 _("Score 7 days earlier"), _("Change in 7 days"), _("Signals"),
                 _("Snapshot day")],
                [[r["code"], r["name"], r["total"], r["level_code"], r["previous"],
                  r["rise"], r["signals"], r.get("day") or ""] for r in data["rows"]])
    if figure == "hotspots":
        rows = []
        for kind, label in (("by_score", _("Highest score")), ("by_rise", _("Largest rise"))):
            for rank, r in enumerate(data["hotspots"][kind], start=1):
                rows.append([label, rank, r["code"], r["name"], r.get("total", ""),
                             r.get("rise", r.get("last7", ""))])
        return [_("List"), _("Rank"), _("Code"), _("Region"), _("Score (0-100)"),
                _("Change in 7 days")], rows
    if figure == "trend":
        return ([_("Day"), _("Score (0-100)"), _("Level"), "Ancaman", "Tantangan", "Hambatan",
                 "Gangguan", _("Signals")],
                [[p["day"], p["total"], p["level"], p["ancaman"], p["tantangan"],
                  p["hambatan"], p["gangguan"], p["signal_count"]] for p in data["trend"]])
    if figure == "athg":
        current = data["current"] or {}
        return [_("Component"), _("Value")], [
            [name, current.get(key, "")] for key, name in (
                ("ancaman", "Ancaman"), ("tantangan", "Tantangan"), ("hambatan", "Hambatan"),
                ("gangguan", "Gangguan"), ("total", _("Score (0-100)")))]
    if figure == "indicators":
        table = data["indicator_stage"]
        return ([_("Indicator category"), _("Total"), *[s.name for s in table["stages"]]],
                [[e["category"], e["total"], *e["cell_list"]] for e in table["rows"]])
    if figure == "gaps":
        return ([_("Code"), _("Kab/kota"), _("Province"), _("Last report")],
                [[r["code"], r["name"], r["parent__name"], r["last_report"] or ""]
                 for r in data["gaps"]["rows"]])
    if figure == "latest":
        return ([_("Reference"), _("Time of the event"), _("Kab/kota"), _("Indicator"),
                 _("ATHG"), _("Title")],
                [[i.reference, i.occurred_at.isoformat(), i.region.name, i.indicator.name,
                  i.athg, i.title] for i in data["latest"]])
    if figure == "summary":
        inc, ref, alerts = data["incidents"], data["referrals"], data["alert_counts"]
        rec = data["recommendations"] or {}
        return [_("Figure"), _("Value")], [
            [_("Incidents in the last 7 days"), inc["last7"]],
            [_("Incidents in the 7 days before"), inc["prev7"]],
            [_("Verified (last 7 days)"), inc["verified7"]],
            [_("Pending verification"), inc["pending"]],
            [_("Open alerts"), alerts["open"]],
            [_("Open referrals"), ref["open"]],
            [_("Overdue referrals"), ref["overdue"]],
            [_("Open recommendations"), rec.get("open", "")],
            [_("Overdue recommendations"), rec.get("overdue", "")],
        ]
    raise Http404(_("Unknown figure."))


FIGURES = ("summary", "regions", "hotspots", "trend", "athg", "indicators", "gaps", "latest")


@login_required
@require_GET
@reads_from_replica
def dashboard_csv(request, code: str, figure: str):
    user = request.user
    if figure not in FIGURES:
        raise Http404(_("Unknown figure."))
    region = _region_or_404(user, code)
    _form, period, gap = _period(request, region)
    data = selectors.figure(figure, user=user, region=region, period=period, gap_days=gap)
    header, rows = _csv_rows(figure, data)
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"dasbor-{code}-{figure}-{period.day.isoformat()}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- Election day -------------------------------------------------------------------------

def _live_context(request, code: str) -> dict:
    """What the election-day page and its refreshed panel both show."""
    user = request.user
    region = _region_or_404(user, code)
    return {"region": region, "code": code,
            "live": selectors.live_panel(user=user, region=region),
            "can_handle": can_handle_alerts(user)}


@login_required
@require_GET
@reads_from_replica
def dashboard_live(request, code: str):
    """The election-day view: the last 24 hours, refreshed in place every minute."""
    context = _live_context(request, code)
    region = context["region"]
    return render(request, "forkopimda/dashboard_live.html", {
        **context, "scope_label": _scope_label(region),
        "period": selectors.period_for(region=region, election_id=None, stage=None, day=None),
        "crumbs": _breadcrumbs(request.user, region),
    })


@login_required
@require_GET
@reads_from_replica
def dashboard_live_panel(request, code: str):
    response = render(request, "forkopimda/dashboard_live_panel.html", {
        **_live_context(request, code),
        "next_url": reverse("forkopimda:dashboard_live", args=[code]),
    })
    response["Cache-Control"] = "no-store"
    return response
