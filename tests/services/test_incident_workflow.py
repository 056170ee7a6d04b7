"""Incident services on the real rules: who may do what, where, and what gets recorded."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kewaspadaan.models import Indicator, Institution, Region
from laporan import services
from laporan.choices import Status
from laporan.models import Incident
from laporan.selectors import incident_duplicates, incident_history, incident_list
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))


def whatsapp_case(**overrides) -> services.IncidentData:
    values = dict(
        title="Grup WhatsApp 15 ASN berkampanye untuk paslon",
        narrative="Sebuah grup WhatsApp beranggotakan 15 ASN Pemko Pariaman mengajak "
                  "memilih salah satu pasangan calon wali kota.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"),
        source_type="bawaslu",
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman")],
    )
    values.update(overrides)
    return services.IncidentData(**values)


@pytest.fixture
def submitted(operator_pariaman):
    return services.incident_create(by=operator_pariaman, data=whatsapp_case(), submit=True)


def test_an_operator_logs_the_pariaman_case_with_stage_and_athg_derived(operator_pariaman):
    incident = services.incident_create(by=operator_pariaman, data=whatsapp_case())
    assert incident.status == Status.DRAFT
    assert incident.athg == "hambatan"  # the indicator's default
    assert [s.slug for s in incident.stages.all()] == ["kampanye"]
    assert incident.election.slug == "pilkada-2024"
    assert incident.actors.get().count == 15
    assert [t.to_status for t in incident.transitions.all()] == [Status.DRAFT]


def test_the_stage_follows_the_regions_own_clock(operator_jateng, admin_user):
    # 23 Nov 2024 23:30 WIB is already 24 Nov 01:30 in Jayapura (WIT): the quiet period.
    instant = dt.datetime(2024, 11, 23, 16, 30, tzinfo=dt.UTC)
    incident = services.incident_create(by=admin_user, data=whatsapp_case(
        region=Region.objects.get(code="91.71"), occurred_at=instant))
    assert [s.slug for s in incident.stages.all()] == ["masa-tenang"]


def test_an_operator_cannot_log_outside_the_jurisdiction(operator_pariaman):
    with pytest.raises(ValidationError) as excinfo:
        services.incident_create(by=operator_pariaman,
                                 data=whatsapp_case(region=Region.objects.get(code="13.72")))
    assert "di luar kewenangan" in str(excinfo.value.message_dict["region"])
    assert not Incident.objects.exists()


def test_bad_input_is_refused_whole_with_every_reason(operator_pariaman):
    future = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as excinfo:
        services.incident_create(by=operator_pariaman, data=whatsapp_case(
            title=" ", occurred_at=future, indicator=Indicator.objects.get(code="asn"),
            kecamatan=Region.objects.get(code="13.72.01")))
    errors = excinfo.value.message_dict
    assert set(errors) == {"title", "occurred_at", "indicator", "kecamatan"}
    assert not Incident.objects.exists()


def test_officials_cannot_log_incidents(official_sumbar):
    with pytest.raises(PermissionDenied):
        services.incident_create(by=official_sumbar, data=whatsapp_case())


def test_the_workflow_records_who_when_and_why(submitted, analyst_sumbar):
    verified = services.incident_verify(incident=submitted, by=analyst_sumbar,
                                        reliability="B", credibility=2)
    assert verified.status == Status.VERIFIED and verified.verified_by == analyst_sumbar
    institution = Institution.objects.get(code="polri")
    services.referral_create(incident=verified, by=analyst_sumbar, institution=institution,
                             subject="ASN", count=10, referred_on=dt.date(2024, 10, 21))
    services.referral_create(incident=verified, by=analyst_sumbar,
                             institution=Institution.objects.get(code="bkn"), subject="ASN",
                             count=5, referred_on=dt.date(2024, 10, 21))
    incident = Incident.objects.get(pk=submitted.pk)
    assert incident.status == Status.FOLLOW_UP
    steps = [(t.from_status, t.to_status, t.by.username) for t in incident.transitions.all()]
    assert steps == [
        ("", "draft", "op.pariaman"), ("draft", "submitted", "op.pariaman"),
        ("submitted", "verified", "an.sumbar"), ("verified", "follow_up", "an.sumbar"),
    ]
    assert sorted((r.institution.code, r.count) for r in incident.referrals.all()) == [
        ("bkn", 5), ("polri", 10),
    ]


def test_an_operator_cannot_verify(submitted, operator_pariaman):
    with pytest.raises(PermissionDenied):
        services.incident_verify(incident=submitted, by=operator_pariaman, reliability="A",
                                 credibility=1)


def test_two_analysts_verifying_at_once_verify_once(submitted, analyst_sumbar):
    services.incident_verify(incident=submitted, by=analyst_sumbar, reliability="B",
                             credibility=2)
    with pytest.raises(ValidationError, match="muat ulang"):
        services.incident_verify(incident=submitted, by=analyst_sumbar, reliability="B",
                                 credibility=2)
    assert submitted.transitions.filter(to_status=Status.VERIFIED).count() == 1


def test_a_rejection_needs_a_reason(submitted, analyst_sumbar):
    with pytest.raises(ValidationError):
        services.incident_reject(incident=submitted, by=analyst_sumbar, reason="")
    services.incident_reject(incident=submitted, by=analyst_sumbar, reason="Hoaks")
    assert Incident.objects.get(pk=submitted.pk).status == Status.REJECTED


def test_a_verified_incident_is_not_changed_silently(submitted, analyst_sumbar):
    verified = services.incident_verify(incident=submitted, by=analyst_sumbar,
                                        reliability="B", credibility=2)
    changed = whatsapp_case(title="Grup WhatsApp 15 ASN Pemko Pariaman")
    with pytest.raises(ValidationError):
        services.incident_update(incident=verified, by=analyst_sumbar, data=changed)
    services.incident_update(incident=verified, by=analyst_sumbar, data=changed,
                             reason="Judul diperjelas")
    history = incident_history(incident=verified, user=analyst_sumbar)
    assert history[0].reason == "Judul diperjelas" and history[0].by == analyst_sumbar
    verification = next(e for e in history if e.reason == "Terverifikasi")
    assert ("Status", "Diajukan", "Terverifikasi") in verification.changes
    assert ("Keandalan sumber", "F: keandalan tidak dapat dinilai",
            "B: biasanya andal") in verification.changes or any(
        label == "Keandalan sumber" and new.startswith("B") for label, _o, new in
        verification.changes)
    assert any(old == "Grup WhatsApp 15 ASN berkampanye untuk paslon"
               for _label, old, _new in history[0].changes)


def test_an_operator_cannot_edit_a_verified_incident(submitted, analyst_sumbar,
                                                      operator_pariaman):
    verified = services.incident_verify(incident=submitted, by=analyst_sumbar,
                                        reliability="B", credibility=2)
    with pytest.raises(PermissionDenied):
        services.incident_update(incident=verified, by=operator_pariaman, data=whatsapp_case(),
                                 reason="x")


def test_a_likely_duplicate_is_suggested_and_merged_keeping_both(submitted, operator_pariaman,
                                                                   analyst_sumbar):
    other = services.incident_create(by=operator_pariaman, submit=True, data=whatsapp_case(
        title="15 ASN kampanye lewat grup WhatsApp",
        occurred_at=dt.datetime(2024, 10, 15, 8, 0, tzinfo=WIB), source_type="media_sosial"))
    unrelated = services.incident_create(by=operator_pariaman, data=whatsapp_case(
        title="Baliho roboh", narrative="Angin kencang merobohkan baliho di pasar.",
        occurred_at=dt.datetime(2024, 10, 15, 8, 0, tzinfo=WIB)))
    found = incident_duplicates(incident=other, user=analyst_sumbar)
    assert [c.incident.pk for c in found] == [submitted.pk]
    assert unrelated.pk not in [c.incident.pk for c in found]
    merged = services.incident_merge(duplicate=other, into=submitted, by=analyst_sumbar)
    assert merged.status == Status.MERGED and merged.merged_into_id == submitted.pk
    assert list(submitted.merged_duplicates.all()) == [merged]
    assert merged.transitions.last().to_status == Status.MERGED


def test_referral_deadlines_follow_the_route(submitted, analyst_sumbar):
    verified = services.incident_verify(incident=submitted, by=analyst_sumbar,
                                        reliability="B", credibility=2)
    friday = dt.date(2024, 10, 18)
    gakkumdu = services.referral_create(
        incident=verified, by=analyst_sumbar, institution=Institution.objects.get(code="gakkumdu"),
        subject="Uang kampanye", count=1, referred_on=friday)
    assert gakkumdu.deadline == dt.date(2024, 11, 7)  # 14 working days
    bawaslu = services.referral_create(
        incident=verified, by=analyst_sumbar, institution=Institution.objects.get(code="bawaslu"),
        subject="ASN", count=15, referred_on=friday)
    assert bawaslu.deadline == dt.date(2024, 10, 21)  # 3 days
    bkn = services.referral_create(
        incident=verified, by=analyst_sumbar, institution=Institution.objects.get(code="bkn"),
        subject="ASN", count=5, referred_on=friday)
    assert bkn.deadline is None


def test_classification_narrows_what_each_role_reads(operator_pariaman, analyst_sumbar,
                                                      official_sumbar, operator_solok):
    secret = services.incident_create(by=analyst_sumbar, submit=True, data=whatsapp_case(
        classification="rahasia"))
    restricted = services.incident_create(by=analyst_sumbar, submit=True, data=whatsapp_case(
        classification="terbatas"))
    ordinary = services.incident_create(by=operator_pariaman, submit=True,
                                        data=whatsapp_case())
    own_secret = services.incident_create(by=operator_pariaman, submit=True,
                                          data=whatsapp_case(classification="rahasia"))

    def visible(user):
        return set(incident_list(user=user).values_list("pk", flat=True))

    assert visible(analyst_sumbar) == {secret.pk, restricted.pk, ordinary.pk, own_secret.pk}
    assert visible(official_sumbar) == {restricted.pk, ordinary.pk}
    assert visible(operator_pariaman) == {ordinary.pk, own_secret.pk}
    assert visible(operator_solok) == set()


def test_a_draft_is_seen_by_its_reporter_and_analysts_only(operator_pariaman, analyst_sumbar,
                                                            official_sumbar):
    draft = services.incident_create(by=operator_pariaman, data=whatsapp_case())
    colleague = UserFactory(username="op2.pariaman", role="operator", jurisdiction_code="13.77")
    for user, sees in ((operator_pariaman, True), (analyst_sumbar, True),
                       (official_sumbar, False), (colleague, False)):
        assert incident_list(user=user).filter(pk=draft.pk).exists() is sees
