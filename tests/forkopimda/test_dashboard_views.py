"""The Forkopimda / Tim Terpadu dashboards: each level opens on the user's own jurisdiction,
nobody reaches another province's by URL, the figures are the engine's, and a page costs a
fixed number of queries whatever the number of incidents and regions."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from forkopimda import dashboard_selectors
from kewaspadaan.models import Alert, Region
from kewaspadaan.services.reference import BOUNDARY_VERSION_KEY
from tests.forkopimda.dashboard_data import (
    AFTER_CASE,
    bulk,
    pariaman_case,
    score_story,
    solok_case,
)

pytestmark = pytest.mark.django_db

DAY = AFTER_CASE.isoformat()


@pytest.fixture(autouse=True)
def _fresh_map_cache():
    """Each test reads maps under its own boundary version, whatever a shared cache holds."""
    cache.set(BOUNDARY_VERSION_KEY, uuid.uuid4().hex)


@pytest.fixture
def story(operator_pariaman, operator_solok, analyst_sumbar,
          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pariaman = pariaman_case(operator=operator_pariaman, analyst=analyst_sumbar)
        solok_case(operator=operator_solok, analyst=analyst_sumbar)
    score_story()
    return pariaman


def page(client, user, path):
    client.force_login(user)
    return client.get(path)


def chart_data(response) -> dict:
    return response.context["chart"]


# --- Where each user lands, and what they may open -------------------------------------

def test_each_user_opens_the_dashboard_of_their_own_jurisdiction(client, official_sumbar,
                                                                 national_user,
                                                                 operator_pariaman):
    assert page(client, official_sumbar, "/dashboards/").url == "/dashboards/13/"
    assert page(client, national_user, "/dashboards/").url == "/dashboards/national/"
    assert page(client, operator_pariaman, "/dashboards/").url == "/dashboards/13.77/"


def test_the_navigation_offers_the_dashboard_to_every_role(client, official_sumbar,
                                                          national_user, operator_pariaman):
    for user in (official_sumbar, national_user, operator_pariaman):
        nav = page(client, user, "/").content.decode().split('id="site-nav"')[1]
        assert 'href="/dashboards/">Dasbor</a>' in nav.split("</nav>")[0]


def test_an_official_cannot_reach_another_provinces_dashboard_by_url(client,
                                                                     official_sumbar):
    client.force_login(official_sumbar)
    for code in ("33", "33.74", "national", "99", "13.77.01"):
        assert client.get(f"/dashboards/{code}/").status_code == 404, code
        assert client.get(f"/dashboards/{code}/map.geojson").status_code == 404, code
        assert client.get(f"/dashboards/{code}/figures/regions.csv").status_code == 404
        assert client.get(f"/dashboards/{code}/live/").status_code == 404, code
    assert client.get("/dashboards/13.77/").status_code == 200  # below them: yes


def test_a_kabkota_official_cannot_open_the_province_above_them(client, operator_pariaman):
    client.force_login(operator_pariaman)
    assert client.get("/dashboards/13/").status_code == 404
    assert client.get("/dashboards/13.72/").status_code == 404
    assert client.get("/dashboards/13.77/").status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/dashboards/13/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_national_user_moves_anywhere(client, national_user):
    client.force_login(national_user)
    for code in ("national", "13", "33", "33.74", "91.71"):
        assert client.get(f"/dashboards/{code}/").status_code == 200, code


# --- The figures ------------------------------------------------------------------------

def test_the_national_map_has_all_38_provinces(client, national_user):
    response = page(client, national_user, "/dashboards/national/")
    assert response.status_code == 200
    assert len(chart_data(response)["regions"]) == 38
    geo = json.loads(client.get("/dashboards/national/map.geojson").content)
    assert len({f["properties"]["code"] for f in geo["features"]}) == 38
    # Without imported boundaries every province is a point at its centroid.
    assert {f["geometry"]["type"] for f in geo["features"]} == {"Point"}


def test_the_map_serves_shapes_once_boundaries_are_imported(client, official_sumbar):
    square = {"type": "Polygon", "coordinates": [[[100.1, -0.6], [100.2, -0.6],
                                                  [100.2, -0.7], [100.1, -0.6]]]}
    Region.objects.filter(code="13.77").update(boundary=square)
    cache.set(BOUNDARY_VERSION_KEY, "test-square")  # what an import does on commit
    geo = json.loads(page(client, official_sumbar, "/dashboards/13/map.geojson").content)
    by_code = {f["properties"]["code"]: f["geometry"] for f in geo["features"]}
    assert len(by_code) == 19
    assert by_code["13.77"] == square
    assert by_code["13.72"]["type"] == "Point"


def test_sumbar_shows_its_19_kabkota_with_pariaman_highest_after_the_case(
        client, official_sumbar, story):
    response = page(client, official_sumbar, f"/dashboards/13/?day={DAY}")
    regions = chart_data(response)["regions"]
    assert len(regions) == 19 and all(code.startswith("13.") for code in regions)
    top = response.context["data"]["hotspots"]["by_score"]
    # The two cities with verified cases lead; the 17 without reports score nothing.
    assert {r["code"] for r in top[:2]} == {"13.77", "13.72"}
    assert top[0]["total"] > 0 and all((r["total"] or 0) == 0 for r in top[2:])
    assert regions["13.77"]["level"] in {"rendah", "sedang", "tinggi"}
    assert regions["13.01"]["level"] == ""  # no snapshot: "No score", not "Low"
    html = response.content.decode()
    assert "Kota Pariaman" in html and "Grup WhatsApp 15 ASN" in html
    # The legend says the levels in words, not only colour.
    assert "Tinggi" in html and "Sedang" in html and "Rendah" in html


def test_the_headline_figures_come_from_the_engine_and_the_records(client, official_sumbar,
                                                                   story):
    data = page(client, official_sumbar, f"/dashboards/13/?day={DAY}").context["data"]
    assert data["incidents"]["last7"] == 2  # 14 and 18 Oct, within the 7 days to 20 Oct
    assert data["incidents"]["verified7"] == 2
    assert data["incidents"]["pending"] == 0
    assert data["current"]["total"] > 0 and data["trend"][-1]["day"] == AFTER_CASE
    table = data["indicator_stage"]
    kampanye = [s.slug for s in table["stages"]].index("kampanye")
    assert sum(row["cell_list"][kampanye] for row in table["rows"]) == 2
    assert {r["code"] for r in data["gaps"]["rows"]} >= {"13.01"}
    assert "13.77" not in {r["code"] for r in data["gaps"]["rows"]}
    assert [i.pk for i in data["latest"]][-1] == story.pk


def test_a_stage_narrows_the_figures(client, official_sumbar, story):
    data = page(client, official_sumbar,
                f"/dashboards/13/?day={DAY}&stage=masa-tenang").context["data"]
    assert data["incidents"]["last7"] == 0
    assert all(row["cell_list"] for row in data["indicator_stage"]["rows"])


def test_the_kabkota_dashboard_shows_its_kecamatan_with_incidents(client, official_sumbar,
                                                                  story):
    response = page(client, official_sumbar, f"/dashboards/13.77/?day={DAY}")
    rows = response.context["data"]["rows"]
    assert [r["code"] for r in rows] == ["13.77.01"] and rows[0]["incidents"] == 1
    geo = json.loads(client.get("/dashboards/13.77/map.geojson").content)
    codes = {f["properties"]["code"] for f in geo["features"]}
    assert "13.77.01" in codes


def test_bad_period_input_gets_a_clear_message_and_the_defaults(client, official_sumbar):
    response = page(client, official_sumbar, "/dashboards/13/?day=kemarin&stage=x&gap=0")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Masukkan tanggal dengan format TTTT-BB-HH." in html
    assert "Pilih salah satu tahapan pemilihan." in html
    assert "Masukkan jumlah hari dari 1 sampai 365." in html
    assert response.context["period"].stage == ""


def test_the_recommendation_figure_reads_the_forum_app_or_says_it_is_unavailable(
        client, official_sumbar, monkeypatch):
    from forkopimda import selectors as forum_selectors

    monkeypatch.setattr(forum_selectors, "recommendation_counts",
                        lambda *, user, region: {"open": 4, "overdue": 1}, raising=False)
    html = page(client, official_sumbar, "/dashboards/13/").content.decode()
    assert "4 / 1" in html
    monkeypatch.delattr(forum_selectors, "recommendation_counts")
    html = client.get("/dashboards/13/").content.decode()
    assert "Belum tersedia" in html


# --- Alerts and the election-day view -----------------------------------------------------

def test_an_official_acknowledges_an_alert_from_the_dashboard(client, official_sumbar):
    alert = Alert.objects.create(rule="level_rise", condition_key="t:13.77", region_id="13.77",
                                 title="Risiko Kota Pariaman naik", message="-",
                                 level="tinggi")
    other = Alert.objects.create(rule="level_rise", condition_key="t:33.74",
                                 region_id="33.74", title="Risiko Kota Semarang naik",
                                 message="-", level="tinggi")
    html = page(client, official_sumbar, "/dashboards/13/").content.decode()
    assert "Risiko Kota Pariaman naik" in html and "Risiko Kota Semarang naik" not in html
    ack = reverse("kewaspadaan:alert_acknowledge", args=[alert.pk])
    assert ack in html
    response = client.post(ack, {"next": "/dashboards/13/"})
    assert response.url == "/dashboards/13/"
    alert.refresh_from_db()
    other.refresh_from_db()
    assert alert.status == "acknowledged" and other.status == "new"


def test_the_election_day_view_refreshes_itself_with_the_last_24_hours(client,
                                                                      official_sumbar):
    Alert.objects.create(rule="critical", condition_key="t:now", region_id="13.72",
                         title="Bentrokan di Kota Solok", message="-", level="tinggi",
                         created_at=timezone.now())
    Alert.objects.create(rule="critical", condition_key="t:old", region_id="13.72",
                         title="Kejadian lama", message="-", level="tinggi",
                         created_at=timezone.now() - timezone.timedelta(days=2))
    html = page(client, official_sumbar, "/dashboards/13/live/").content.decode()
    assert 'hx-get="/dashboards/13/live/panel/"' in html and "every 60s" in html
    panel = client.get("/dashboards/13/live/panel/")
    assert panel["Cache-Control"] == "no-store"
    text = panel.content.decode()
    assert "Bentrokan di Kota Solok" in text and "Kejadian lama" not in text
    assert "<html" not in text


# --- Downloads ----------------------------------------------------------------------------

@pytest.mark.parametrize("figure", ["summary", "regions", "hotspots", "trend", "athg",
                                    "indicators", "gaps", "latest"])
def test_every_figure_downloads_as_csv(client, official_sumbar, story, figure):
    response = page(client, official_sumbar,
                    f"/dashboards/13/figures/{figure}.csv?day={DAY}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"dasbor-13-{figure}-{DAY}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) >= 2, rows
    # The page offers it, for the period on screen.
    html = client.get(f"/dashboards/13/?day={DAY}").content.decode()
    assert f'href="/dashboards/13/figures/{figure}.csv?day={DAY}" download' in html


def test_the_regions_csv_has_the_scores_of_the_page(client, official_sumbar, story):
    response = page(client, official_sumbar, f"/dashboards/13/figures/regions.csv?day={DAY}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 20
    pariaman = next(r for r in rows if r[0] == "13.77")
    assert float(pariaman[2]) > 0


def test_an_unknown_figure_is_not_found(client, official_sumbar):
    assert page(client, official_sumbar, "/dashboards/13/figures/x.csv").status_code == 404


# --- Cost ---------------------------------------------------------------------------------

def _count_queries(client, path, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("code", ["national", "13", "13.77"])
def test_a_dashboard_costs_the_same_queries_for_5_or_50_of_everything(
        client, national_user, django_assert_max_num_queries, code):
    client.force_login(national_user)
    path = f"/dashboards/{code}/?day={DAY}"
    bulk(5, by=national_user)
    small = _count_queries(client, path, django_assert_max_num_queries, 24)
    bulk(50, by=national_user, province="33")
    bulk(50, by=national_user, province="13")
    large = _count_queries(client, path, django_assert_max_num_queries, 24)
    assert small == large, (small, large)
    print(code, small)


def test_the_live_panel_and_the_map_cost_a_fixed_number_of_queries(
        client, official_sumbar, django_assert_max_num_queries):
    client.force_login(official_sumbar)
    counts = []
    # Incidents and alerts of the last 24 hours (the panel's window), so both lists are
    # filled and a query per row would show.
    today = timezone.localdate()
    for n in (5, 50):
        bulk(n, by=official_sumbar, province="13", day=today)
        with django_assert_max_num_queries(8) as live:
            panel = client.get("/dashboards/13/live/panel/").content.decode()
        assert "Kejadian 0" in panel and "status-acknowledged" in panel
        cache.set(BOUNDARY_VERSION_KEY, uuid.uuid4().hex)  # the map built, not cached
        with django_assert_max_num_queries(5) as geo:
            client.get("/dashboards/13/map.geojson")
        counts.append((len(live.captured_queries), len(geo.captured_queries)))
    assert counts[0][0] == counts[1][0]
    assert counts[0] == counts[1], counts


def test_the_selectors_never_ask_per_region(official_sumbar, story,
                                            django_assert_max_num_queries):
    period = dashboard_selectors.period_for(region=None, election_id=None, stage=None,
                                            day=AFTER_CASE)
    region = Region.objects.get(code="13")
    with django_assert_max_num_queries(3):
        rows = dashboard_selectors.region_rows(user=official_sumbar, region=region,
                                               period=period)
    assert len(rows) == 19


def test_a_figures_csv_reads_that_figure_alone(client, official_sumbar, story,
                                               django_assert_max_num_queries):
    """The trend's CSV does not compute the whole page (about twenty queries)."""
    client.force_login(official_sumbar)
    client.get("/dashboards/13/")  # the session and the user, read once
    with django_assert_max_num_queries(10):
        response = client.get(f"/dashboards/13/figures/trend.csv?day={DAY}")
    assert response.status_code == 200


def test_the_gaps_csv_lists_every_quiet_kabkota_and_the_page_its_first_rows(
        client, national_user):
    client.force_login(national_user)
    html = client.get("/dashboards/national/?gap=3")
    shown = html.context["data"]["gaps"]
    assert shown["days"] == 3 and len(shown["rows"]) == dashboard_selectors.GAP_ROWS
    response = client.get("/dashboards/national/figures/gaps.csv?gap=3")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) - 1 == shown["count"] > dashboard_selectors.GAP_ROWS


def test_a_kabkota_dashboard_lists_only_itself_as_a_coverage_gap(client, national_user):
    data = page(client, national_user, "/dashboards/13.77/").context["data"]
    assert [r["code"] for r in data["gaps"]["rows"]] == ["13.77"]
    assert data["gaps"]["count"] == 1
