"""The one scoping rule, on regions and contests, with the personas of STYLE.md."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from kewaspadaan.models import Contest, Region, Stage
from kewaspadaan.scoping import can_see_region, scope

pytestmark = pytest.mark.django_db


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_an_operator_of_kota_pariaman_sees_pariaman_below_and_above_but_not_solok(
    operator_pariaman,
):
    regions = scope(Region.objects.all(), operator_pariaman)
    visible = codes(regions)
    assert {"13", "13.77", "13.77.01", "13.77.01.1001"} <= visible
    assert "13.72" not in visible and not any(c.startswith("13.72.") for c in visible)
    assert "33" not in visible
    # Pariaman has 4 kecamatan and their villages, plus the province above it.
    below = Region.objects.filter(code__startswith="13.77.").count()
    assert len(visible) == 1 + 1 + below


def test_an_analyst_of_sumatera_barat_sees_its_19_kabkota_and_nothing_of_jawa_tengah(
    analyst_sumbar,
):
    regions = scope(Region.objects.filter(level=2), analyst_sumbar)
    assert regions.count() == 19
    assert not scope(Region.objects.filter(code__startswith="33"), analyst_sumbar).exists()


def test_a_national_user_sees_every_region(national_user):
    assert scope(Region.objects.filter(level=1), national_user).count() == 38


def test_an_operator_of_another_province_sees_nothing_of_sumatera_barat(operator_jateng):
    assert not scope(Region.objects.filter(code__startswith="13"), operator_jateng).exists()


def test_contests_of_the_user_and_the_regions_above_are_visible_siblings_are_not(
    operator_pariaman, official_sumbar,
):
    mine = set(scope(Contest.objects.all(), operator_pariaman).values_list("region_id", "kind"))
    assert mine == {("13", "gubernur"), ("13.77", "wali_kota")}
    province = scope(Contest.objects.all(), official_sumbar)
    assert province.count() == 20  # 1 gubernur + 12 bupati + 7 wali kota


def test_stages_are_nationwide(operator_pariaman):
    assert scope(Stage.objects.all(), operator_pariaman).count() == Stage.objects.count()


def test_anonymous_and_inactive_users_see_nothing(operator_pariaman):
    assert not scope(Region.objects.all(), AnonymousUser()).exists()
    operator_pariaman.is_active = False
    assert not scope(Region.objects.all(), operator_pariaman).exists()


def test_can_see_region_by_code(operator_pariaman, national_user):
    assert can_see_region(operator_pariaman, "13.77.02")
    assert not can_see_region(operator_pariaman, "13.72")
    assert not can_see_region(operator_pariaman, "13")
    assert can_see_region(operator_pariaman, "13", as_ancestor=True)
    assert not can_see_region(operator_pariaman, "13.7")  # a prefix is not a parent
    assert can_see_region(national_user, "91.71")


def test_a_model_without_a_policy_cannot_be_scoped(operator_pariaman, monkeypatch):
    monkeypatch.delattr(Stage, "jurisdiction_scope")
    with pytest.raises(ImproperlyConfigured, match="declares no jurisdiction_scope"):
        scope(Stage.objects.all(), operator_pariaman)
