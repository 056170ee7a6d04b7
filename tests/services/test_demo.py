"""The demo data set: the Sumatera Barat story of FACTS.md told faithfully, synthetic incidents
elsewhere, loaded only in demo mode, idempotently, through the services."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from kewaspadaan.choices import Classification
from kewaspadaan.models import User
from kewaspadaan.selectors import local_date
from kewaspadaan.services import DEMO_USERS
from laporan import demo
from laporan.choices import Status
from laporan.models import Incident, IncidentActor, IncidentTransition, Referral
from laporan.selectors import incident_list, referrals_overdue

pytestmark = pytest.mark.django_db

PARIAMAN = "DEMO-SUMBAR-001"


def load() -> str:
    out = StringIO()
    call_command("load_demo_incidents", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (about 3 s) inside a transaction rolled back at
    the end; each test runs in a savepoint of it, so nothing leaks to other modules."""
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True):
        with transaction.atomic():
            yield load()
            transaction.set_rollback(True)


@pytest.fixture
def loaded(_demo_once, db, settings):
    settings.DEMO_MODE = True
    return _demo_once


def user(username: str) -> User:
    return User.objects.get(username=username)


def sumbar():
    return Incident.objects.filter(external_ref__startswith=demo.SUMBAR_PREFIX)


def test_the_pariaman_case_ends_in_follow_up_with_10_asn_to_polri_and_5_to_bkn(loaded):
    case = Incident.objects.get(external_ref=PARIAMAN)
    assert case.region_id == "13.77"
    assert case.indicator.code == "asn-grup-percakapan"
    assert local_date(region=case.region, at=case.occurred_at).strftime("%Y-%m") == "2024-10"
    assert case.actors.get(actor_type="asn").count == 15
    assert case.status == Status.FOLLOW_UP
    assert (case.source_reliability, case.information_credibility) == ("B", 2)
    assert case.created_by.username == "operator.pariaman"
    assert case.verified_by.username == "analis.sumbar"
    assert sorted(case.referrals.values_list("institution__code", "count")) == [
        ("bkn", 5), ("polri", 10),
    ]
    assert [t.to_status for t in case.transitions.all()] == [
        Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.FOLLOW_UP,
    ]


def test_padang_panjang_solok_and_bukittinggi_are_watched_for_the_same(loaded):
    for code in ("13.74", "13.72", "13.75"):
        watched = sumbar().filter(region_id=code, indicator__parent__code="asn")
        assert watched.exists(), code
    statuses = set(sumbar().filter(region_id__in=["13.74", "13.72", "13.75"])
                   .values_list("status", flat=True))
    assert {Status.VERIFIED, Status.SUBMITTED, Status.REJECTED, Status.MERGED} <= statuses


def test_the_hoax_is_rejected_with_a_reason_and_the_duplicate_merged(loaded):
    hoax = sumbar().get(status=Status.REJECTED)
    reason = hoax.transitions.get(to_status=Status.REJECTED).reason
    assert "Hoaks" in reason
    duplicate = sumbar().get(status=Status.MERGED)
    assert duplicate.merged_into.region_id == duplicate.region_id == "13.75"
    assert duplicate.merged_into.status == Status.VERIFIED


def test_money_politics_in_the_quiet_period_falls_in_the_masa_tenang_stage(loaded):
    money = sumbar().filter(indicator__parent__code="politik-uang").select_related("region")
    quiet = [i for i in money if dt.date(2024, 11, 24)
             <= local_date(region=i.region, at=i.occurred_at) <= dt.date(2024, 11, 26)]
    assert len({i.region_id for i in quiet}) >= 3  # across the province
    for incident in quiet:
        assert [s.slug for s in incident.stages.all()] == ["masa-tenang"]
    assert any("Tim Terpadu" in i.narrative and "30 Oktober 2024" in i.narrative
               for i in money)


def test_a_second_load_creates_nothing(loaded):
    def counts():
        return (Incident.objects.count(), Referral.objects.count(),
                IncidentTransition.objects.count(), IncidentActor.objects.count(),
                Incident.history.count(), User.objects.count())

    before = counts()
    output = load()
    assert counts() == before
    assert "0 created" in output


def test_outside_demo_mode_the_command_refuses(settings):
    settings.DEMO_MODE = False
    before = (Incident.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="DEMO_MODE"):
        load()
    assert (Incident.objects.count(), User.objects.count()) == before


def test_outside_demo_mode_the_service_refuses_too(settings):
    from django.core.exceptions import ValidationError

    settings.DEMO_MODE = False
    with pytest.raises(ValidationError):
        demo.demo_incidents_load()


def test_every_demo_incident_is_flagged_and_marked_as_demo(loaded):
    assert Incident.objects.count() == Incident.objects.filter(is_demo=True).count() > 150
    for title, narrative in Incident.objects.values_list("title", "narrative"):
        assert title.startswith(demo.TITLE_PREFIX)
        assert narrative.endswith(demo.NARRATIVE_SUFFIX)


def test_operator_solok_cannot_see_the_pariaman_case(loaded):
    solok = incident_list(user=user("operator.solok"))
    assert not solok.filter(external_ref=PARIAMAN).exists()
    assert solok.exists()
    assert set(solok.values_list("region_id", flat=True)) == {"13.72"}


def test_operator_jateng_sees_the_incidents_of_jawa_tengah(loaded):
    jateng = incident_list(user=user("operator.jateng"))
    assert jateng.count() >= 20
    assert all(code.startswith("33.") for code in jateng.values_list("region_id", flat=True))


def test_the_work_is_done_by_the_demo_users_of_each_region(loaded):
    usernames = {spec["username"] for spec in DEMO_USERS}
    assert set(User.objects.values_list("username", flat=True)) == usernames
    verified = Incident.objects.exclude(verified_by=None)
    assert set(verified.filter(region__code__startswith="13.")
               .values_list("verified_by__username", flat=True)) == {"analis.sumbar"}
    assert set(verified.exclude(region__code__startswith="13.")
               .values_list("verified_by__username", flat=True)) == {"admin"}
    assert set(Incident.objects.filter(region__code__startswith="33.")
               .values_list("created_by__username", flat=True)) == {"operator.jateng"}


def test_the_synthetic_incidents_spread_over_regions_stages_and_statuses(loaded):
    synthetic = Incident.objects.filter(external_ref__startswith=demo.SYNTHETIC_PREFIX)
    assert 140 <= synthetic.count() <= 160
    assert synthetic.values("region").distinct().count() >= 35
    assert synthetic.values("region__parent").distinct().count() >= 12
    assert synthetic.values("indicator__parent").distinct().count() >= 10
    statuses = set(synthetic.values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED, Status.VERIFIED, Status.REJECTED,
            Status.FOLLOW_UP} <= statuses
    assert synthetic.filter(status=Status.VERIFIED).count() > synthetic.filter(
        status=Status.SUBMITTED).count()
    assert synthetic.filter(Q(injured__gt=0) | Q(killed__gt=0)).count() >= 3
    assert synthetic.filter(classification=Classification.TERBATAS).exists()
    assert synthetic.filter(classification=Classification.RAHASIA).exists()
    days = {local_date(region=i.region, at=i.occurred_at)
            for i in synthetic.select_related("region")}
    assert min(days) >= dt.date(2024, 5, 1) and max(days) <= dt.date(2024, 12, 31)
    assert min(days) < dt.date(2024, 8, 1)  # from the nomination stages on
    assert {9, 10, 11, 12} <= {d.month for d in days}


def test_every_incident_has_the_stages_of_its_day(loaded):
    stageless = Incident.objects.filter(stages=None).select_related("region")
    for incident in stageless:  # only after tabulation (16 Dec) may a day have no stage
        assert local_date(region=incident.region, at=incident.occurred_at) > dt.date(2024, 12, 16)


def test_some_referrals_are_overdue_and_some_decided(loaded):
    overdue = referrals_overdue(user=user("nasional"), today=timezone.localdate())
    assert overdue.exists()
    assert Referral.objects.filter(status="decided").exists()
    assert Referral.objects.filter(status="sent", deadline=None).exists()  # BKN sets none


def test_the_synthetic_plan_depends_only_on_the_seed_and_the_regions():
    places = {
        p: [demo.KabKota(f"{p}.{k:02d}", f"Kab {p}.{k}", p,
                         ((f"{p}.{k:02d}.01", "Kec A"), (f"{p}.{k:02d}.02", "Kec B")))
            for k in range(1, 9)]
        for p, _n, _m in demo.PROVINCES
    }
    first = demo.synthetic_plan(kabkota_by_province=places, routes={})
    assert first == demo.synthetic_plan(kabkota_by_province=places, routes={})
    assert len({spec.ref for spec in first}) == len(first) == sum(
        n for _p, _k, n in demo.PROVINCES)


def test_every_planned_reason_fits_the_history_change_reason():
    reasons = [spec.reason for spec in demo.SUMBAR_STORY]
    reasons += demo.VERIFY_REASONS + demo.REJECT_REASONS + demo.CLOSE_REASONS
    assert max(len(r) for r in reasons) <= demo.REASON_MAX
