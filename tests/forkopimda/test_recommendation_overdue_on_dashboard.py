"""Done means: a recommendation past its deadline shows as overdue on the dashboard of its
region (the dashboards read ``forkopimda.selectors.recommendation_counts``)."""

import datetime as dt
import re

import pytest

from forkopimda import services
from kewaspadaan.models import Region
from tests.forkopimda.forum_helpers import issue, make_recommendation

pytestmark = pytest.mark.django_db


def _kpi(html: str) -> str:
    match = re.search(r'<span class="kpi-label">[^<]*rekomendasi[^<]*</span>\s*'
                      r'<span class="kpi-value">([^<]*)</span>', html, flags=re.I)
    assert match, "the dashboard has no recommendations figure"
    return " ".join(match.group(1).split())


def test_an_overdue_recommendation_shows_on_the_dashboard_of_its_region(
        client, analyst_sumbar, official_sumbar):
    today = services.region_today(Region.objects.get(code="13.77"))
    issue(make_recommendation(by=analyst_sumbar, region_code="13.77", regions=("13.77",),
                              deadline=today - dt.timedelta(days=1)), by=analyst_sumbar)
    issue(make_recommendation(by=analyst_sumbar, region_code="13.77", regions=("13.77",),
                              deadline=today + dt.timedelta(days=7)), by=analyst_sumbar)
    client.force_login(official_sumbar)
    pariaman = client.get("/dashboards/13.77/")
    assert pariaman.status_code == 200
    assert _kpi(pariaman.content.decode()) == "2 / 1"
    solok = client.get("/dashboards/13.72/")
    assert _kpi(solok.content.decode()) == "0 / 0"
