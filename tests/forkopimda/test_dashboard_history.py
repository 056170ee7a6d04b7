"""``manage.py rescore_history``: the dashboards' trend history, stored by the engine's own
rescoring, each day once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kewaspadaan.management.commands import rescore_history
from kewaspadaan.models import Election, RiskScore, Stage
from tests.forkopimda.dashboard_data import pariaman_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pariaman(operator_pariaman, analyst_sumbar, django_capture_on_commit_callbacks):
    """The verified Pariaman case: its signal makes Kota Pariaman a kab/kota to score."""
    with django_capture_on_commit_callbacks(execute=True):
        return pariaman_case(operator=operator_pariaman, analyst=analyst_sumbar)


def _run(*args) -> str:
    out = StringIO()
    call_command("rescore_history", *args, stdout=out)
    return out.getvalue()


def test_the_history_is_stored_by_the_engine_and_skipped_the_second_time(pariaman):
    election = Election.objects.get(slug="pilkada-2024")
    out = _run("--election", election.slug, "--every", "30")
    assert "Score history of pilkada-2024" in out
    days = set(RiskScore.objects.filter(election=election, region__isnull=True, stage="")
               .values_list("day", flat=True))
    # The dense window around voting (27 November 2024) is there day by day.
    assert {election.voting_day + dt.timedelta(days=k) for k in range(-3, 8)} <= days
    assert RiskScore.objects.filter(election=election, region_id="13.77",
                                    day=election.voting_day).exists()
    assert "already there" in _run("--election", election.slug, "--every", "30")


def test_each_day_is_scored_once_however_many_elections_want_it(pariaman, monkeypatch):
    """The engine scores every active election on each day it is given: two elections
    wanting the same days must not run them twice."""
    first = Election.objects.get(slug="pilkada-2024")
    second = Election.objects.create(slug="pilkada-ulang", name="Pilkada ulang",
                                     kind=first.kind, voting_day=first.voting_day)
    for stage in first.stages.all():
        Stage.objects.create(election=second, slug=stage.slug, name=stage.name,
                             order=stage.order, start_date=stage.start_date,
                             end_date=stage.end_date)
    calls: list[dt.date] = []
    monkeypatch.setattr(rescore_history, "regions_rescore",
                        lambda *, regions, day: calls.append(day))
    out = _run("--every", "30")
    assert "pilkada-2024" in out and "pilkada-ulang" in out
    assert calls and len(calls) == len(set(calls)), calls


def test_an_inactive_election_is_refused_not_reported_as_done(pariaman):
    first = Election.objects.get(slug="pilkada-2024")
    Election.objects.create(slug="pemilu-lama", name="Pemilu lama", kind=first.kind,
                            voting_day=dt.date(2019, 4, 17), is_active=False)
    with pytest.raises(CommandError, match="not active"):
        _run("--election", "pemilu-lama")
    with pytest.raises(CommandError, match="Unknown election"):
        _run("--election", "none-such")
