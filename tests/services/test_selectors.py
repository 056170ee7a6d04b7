"""Which stage(s) a moment falls in, read in the region's own time zone."""

import datetime as dt

import pytest

from kewaspadaan.models import Election, Region
from kewaspadaan.selectors import local_date, stages_at, stages_on

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def pilkada():
    return Election.objects.get(slug="pilkada-2024")


def slugs(stages):
    return [s.slug for s in stages]


def test_25_november_2024_is_the_quiet_period(pilkada):
    assert slugs(stages_on(election=pilkada, day=dt.date(2024, 11, 25))) == ["masa-tenang"]


def test_1_october_2024_is_the_campaign(pilkada):
    assert slugs(stages_on(election=pilkada, day=dt.date(2024, 10, 1))) == ["kampanye"]


def test_voting_day_is_also_the_first_day_of_tabulation(pilkada):
    assert slugs(stages_on(election=pilkada, day=dt.date(2024, 11, 27))) == [
        "pemungutan-suara", "rekapitulasi",
    ]


def test_overlapping_stages_are_all_returned(pilkada):
    assert slugs(stages_on(election=pilkada, day=dt.date(2024, 8, 28))) == [
        "pemutakhiran-daftar-pemilih", "pendaftaran-paslon", "penelitian-persyaratan",
    ]


def test_a_stage_without_dates_matches_no_day(pilkada):
    assert "penetapan-calon-terpilih" not in slugs(
        stages_on(election=pilkada, day=dt.date(2025, 2, 1))
    )


def test_the_same_instant_can_be_campaign_in_padang_and_quiet_period_in_jayapura(pilkada):
    instant = dt.datetime(2024, 11, 23, 16, 30, tzinfo=UTC)  # 23:30 WIB, 01:30 WIT next day
    pariaman = Region.objects.get(code="13.77")
    jayapura = Region.objects.get(code="91.71")
    assert jayapura.timezone == "WIT"
    assert local_date(region=pariaman, at=instant) == dt.date(2024, 11, 23)
    assert slugs(stages_at(election=pilkada, region=pariaman, at=instant)) == ["kampanye"]
    assert slugs(stages_at(election=pilkada, region=jayapura, at=instant)) == ["masa-tenang"]


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(region=Region(code="13", timezone="WIB"), at=dt.datetime(2024, 11, 25))
