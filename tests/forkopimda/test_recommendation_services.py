"""Forums, meetings and recommendations through their services and selectors: roles,
jurisdiction, the lifecycle, official numbers, counts for the dashboards, overdue notices."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from forkopimda import selectors, services
from forkopimda.choices import RecommendationStatus as S
from forkopimda.models import NumberSequence, OverdueNotice, Recommendation
from kewaspadaan.models import Region
from tests.factories import UserFactory
from tests.forkopimda.forum_helpers import issue, make_forum, make_meeting, make_recommendation

pytestmark = pytest.mark.django_db


def test_an_analyst_records_a_forum_with_its_members_in_order(analyst_sumbar):
    forum = make_forum(by=analyst_sumbar)
    members = list(forum.members.order_by("order"))
    assert [m.office for m in members][:2] == ["Gubernur Sumatera Barat",
                                                "Kapolda Sumatera Barat"]
    assert members[0].position == "chair"
    assert members[1].institution.code == "polri"


def test_a_forum_has_one_chair(analyst_sumbar):
    forum = make_forum(by=analyst_sumbar)
    with pytest.raises(ValidationError) as exc:
        services.forum_member_add(forum=forum, by=analyst_sumbar, data=services.MemberData(
            office="Wakil Gubernur", position="chair"))
    assert "position" in exc.value.message_dict


def test_a_forum_outside_the_jurisdiction_is_refused(operator_jateng, analyst_sumbar):
    jateng_analyst = UserFactory(role="analyst", jurisdiction_code="33")
    with pytest.raises(ValidationError) as exc:
        make_forum(by=jateng_analyst, region_code="13")
    assert "region" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        make_forum(by=operator_jateng, region_code="33")


def test_a_meeting_records_participants_and_what_it_discussed(analyst_sumbar):
    forum = make_forum(by=analyst_sumbar)
    meeting = make_meeting(by=analyst_sumbar, forum=forum)
    assert meeting.region_id == "13"
    assert [p.office for p in meeting.participants.order_by("order")] == [
        "Gubernur Sumatera Barat", "Kapolda Sumatera Barat", "Bawaslu Provinsi Sumatera Barat"]
    assert list(meeting.regions.values_list("code", flat=True)) == ["13.77"]


def test_a_meeting_refuses_a_participant_listed_twice_and_a_missing_topic(analyst_sumbar):
    forum = make_forum(by=analyst_sumbar)
    with pytest.raises(ValidationError) as exc:
        make_meeting(by=analyst_sumbar, forum=forum, participants=("Kapolda", "Kapolda"),
                     topic="  ")
    assert set(exc.value.message_dict) >= {"participants", "topic"}


def test_the_lifecycle_runs_from_draft_to_done_with_every_step_recorded(analyst_sumbar,
                                                                       official_sumbar):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    rec = make_recommendation(by=analyst_sumbar, meeting=meeting)
    assert rec.status == S.DRAFT and rec.region_id == "13" and rec.order == 1
    rec = services.recommendation_approve(recommendation=rec, by=official_sumbar)
    rec = services.recommendation_issue(recommendation=rec, by=analyst_sumbar)
    year = dt.date.today().year
    assert rec.status == S.ISSUED and rec.number == f"001/REK/13/{year}"
    services.progress_note_add(recommendation=rec, by=official_sumbar,
                               text="BKN memeriksa 5 ASN.")
    rec.refresh_from_db()
    assert rec.status == S.IN_PROGRESS
    rec = services.recommendation_complete(recommendation=rec, by=official_sumbar)
    assert rec.status == S.DONE and rec.closed_at is not None
    steps = [(t.from_status, t.to_status) for t in rec.transitions.all()]
    assert steps == [("", "draft"), ("draft", "approved"), ("approved", "issued"),
                     ("issued", "in_progress"), ("in_progress", "done")]


def test_an_official_may_approve_but_not_issue_or_draft(analyst_sumbar, official_sumbar):
    rec = make_recommendation(by=analyst_sumbar, region_code="13")
    with pytest.raises(PermissionDenied):
        make_recommendation(by=official_sumbar, region_code="13")
    rec = services.recommendation_approve(recommendation=rec, by=official_sumbar)
    with pytest.raises(PermissionDenied):
        services.recommendation_issue(recommendation=rec, by=official_sumbar)


def test_a_step_out_of_order_says_what_the_status_now_is(analyst_sumbar):
    rec = make_recommendation(by=analyst_sumbar, region_code="13")
    with pytest.raises(ValidationError) as exc:
        services.recommendation_issue(recommendation=rec, by=analyst_sumbar)
    assert "Draf" in str(exc.value) or "Draft" in str(exc.value)


def test_numbers_run_per_region_and_year(analyst_sumbar):
    first = issue(make_recommendation(by=analyst_sumbar, region_code="13"), by=analyst_sumbar)
    second = issue(make_recommendation(by=analyst_sumbar, region_code="13"), by=analyst_sumbar)
    other = issue(make_recommendation(by=analyst_sumbar, region_code="13.77"),
                  by=analyst_sumbar)
    year = dt.date.today().year
    assert [first.number, second.number, other.number] == [
        f"001/REK/13/{year}", f"002/REK/13/{year}", f"001/REK/13.77/{year}"]


def test_issuing_needs_an_addressee(analyst_sumbar):
    rec = make_recommendation(by=analyst_sumbar, region_code="13", institutions=())
    rec = services.recommendation_approve(recommendation=rec, by=analyst_sumbar)
    with pytest.raises(ValidationError):
        services.recommendation_issue(recommendation=rec, by=analyst_sumbar)
    rec.refresh_from_db()
    assert rec.status == S.APPROVED and rec.number is None
    assert NumberSequence.objects.filter(region="13", last__gt=0).count() == 0


def test_an_issued_recommendation_cannot_be_edited_and_cancel_needs_a_reason(analyst_sumbar):
    rec = issue(make_recommendation(by=analyst_sumbar, region_code="13"), by=analyst_sumbar)
    with pytest.raises(ValidationError):
        services.recommendation_update(recommendation=rec, by=analyst_sumbar,
                                       data=services.RecommendationData(title="x", text="y"))
    with pytest.raises(ValidationError):
        services.recommendation_cancel(recommendation=rec, by=analyst_sumbar, reason=" ")
    rec = services.recommendation_cancel(recommendation=rec, by=analyst_sumbar,
                                         reason="Digabung dengan rekomendasi lain.")
    assert rec.status == S.CANCELLED


def test_regions_concerned_must_lie_in_the_forums_region(analyst_sumbar):
    with pytest.raises(ValidationError) as exc:
        make_recommendation(by=analyst_sumbar, region_code="13.77", regions=("13.72",))
    assert "regions" in exc.value.message_dict


def test_distribution_is_logged_once_per_office_and_acknowledged(analyst_sumbar,
                                                                 official_sumbar):
    rec = issue(make_recommendation(by=analyst_sumbar, region_code="13"), by=analyst_sumbar)
    sent = services.distribution_record(recommendation=rec, by=analyst_sumbar,
                                        recipient="Kantor Regional XII BKN")
    with pytest.raises(ValidationError):
        services.distribution_record(recommendation=rec, by=analyst_sumbar,
                                     recipient="Kantor Regional XII BKN")
    acknowledged = services.distribution_acknowledge(distribution=sent, by=official_sumbar,
                                                     acknowledged_by="Kepala Kanreg XII")
    assert acknowledged.acknowledged_at is not None
    assert acknowledged.acknowledged_by == "Kepala Kanreg XII"


# --- Selectors ------------------------------------------------------------------------------

def _overdue_and_open(analyst):
    today = services.region_today(Region.objects.get(code="13"))
    late = issue(make_recommendation(by=analyst, region_code="13.77", regions=("13.77",),
                                     deadline=today - dt.timedelta(days=3)), by=analyst)
    on_time = issue(make_recommendation(by=analyst, region_code="13", regions=("13.72",),
                                        deadline=today + dt.timedelta(days=3)), by=analyst)
    # A provincial recommendation concerning Pariaman, past its deadline.
    provincial = issue(make_recommendation(by=analyst, region_code="13", regions=("13.77",),
                                           deadline=today - dt.timedelta(days=1)), by=analyst)
    make_recommendation(by=analyst, region_code="13", deadline=today - dt.timedelta(days=9))
    return late, on_time, provincial


def test_counts_give_open_and_overdue_per_region_in_one_query(analyst_sumbar,
                                                              django_assert_num_queries):
    _overdue_and_open(analyst_sumbar)
    sumbar = Region.objects.get(code="13")
    with django_assert_num_queries(1):
        province = selectors.recommendation_counts(user=analyst_sumbar, region=sumbar)
    pariaman = Region.objects.get(code="13.77")
    solok = Region.objects.get(code="13.72")
    assert province == {"open": 3, "overdue": 2}
    assert selectors.recommendation_counts(user=analyst_sumbar, region=pariaman) == {
        "open": 2, "overdue": 2}
    assert selectors.recommendation_counts(user=analyst_sumbar, region=solok) == {
        "open": 1, "overdue": 0}
    assert selectors.recommendation_counts(user=analyst_sumbar, region=None) == {
        "open": 3, "overdue": 2}


def test_counts_and_lists_keep_to_the_jurisdiction(analyst_sumbar, operator_pariaman,
                                                   operator_jateng, national_user):
    late, _on_time, _provincial = _overdue_and_open(analyst_sumbar)
    assert selectors.recommendation_counts(user=operator_jateng, region=None) == {
        "open": 0, "overdue": 0}
    # Pariaman's own users see Pariaman's forum, not the province's.
    assert selectors.recommendation_counts(user=operator_pariaman, region=None) == {
        "open": 1, "overdue": 1}
    assert selectors.recommendation_counts(user=national_user, region=None)["open"] == 3
    assert list(selectors.recommendation_list(user=operator_pariaman)) == [late]
    assert selectors.recommendation_detail(user=operator_jateng, pk=late.pk) is None


def test_the_overdue_list_of_a_region(analyst_sumbar):
    late, _on_time, provincial = _overdue_and_open(analyst_sumbar)
    overdue = selectors.recommendation_list(user=analyst_sumbar,
                                            region=Region.objects.get(code="13.77"), overdue=True)
    assert set(overdue) == {late, provincial}


# --- Overdue notices ------------------------------------------------------------------------

def test_overdue_notices_are_created_once_and_mailed(analyst_sumbar, official_sumbar,
                                                     django_capture_on_commit_callbacks):
    official_sumbar.email = "of.sumbar@example.test"
    official_sumbar.save()
    make_forum(by=analyst_sumbar)  # Kapolda (polri) has an e-mail address
    late, _on_time, _provincial = _overdue_and_open(analyst_sumbar)
    Recommendation.objects.filter(pk=late.pk).update(region_id="13")
    late.institutions.add(*late.institutions.model.objects.filter(code="polri"))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.overdue_notify()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.overdue_notify()
    assert late.pk in first and second == []
    targets = set(OverdueNotice.objects.filter(recommendation=late)
                  .values_list("target", flat=True))
    assert {"of.sumbar@example.test", "kapolda@example.test"} <= targets
    assert not OverdueNotice.objects.exclude(status="sent").exists()
    recipients = {address for message in mail.outbox for address in message.to}
    assert {"of.sumbar@example.test", "kapolda@example.test"} <= recipients


def test_overdue_notices_of_many_recommendations_cost_a_fixed_number_of_queries(
        analyst_sumbar, official_sumbar, django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    official_sumbar.email = "of.sumbar@example.test"
    official_sumbar.save()
    make_forum(by=analyst_sumbar)  # Kapolda (polri) has an e-mail address
    today = services.region_today(Region.objects.get(code="13"))

    def overdue(count):
        return [issue(make_recommendation(by=analyst_sumbar, region_code="13",
                                          deadline=today - dt.timedelta(days=2),
                                          institutions=("polri", "bkn")), by=analyst_sumbar)
                for _ in range(count)]

    costs = []
    for count in (1, 5):
        batch = overdue(count)
        with django_capture_on_commit_callbacks(execute=False), \
                CaptureQueriesContext(connection) as queries:
            assert set(services.overdue_notify()) >= {rec.pk for rec in batch}
        costs.append(len(queries))
        for rec in batch:
            targets = set(rec.notices.values_list("target", flat=True))
            assert {"of.sumbar@example.test", "kapolda@example.test",
                    f"user:{official_sumbar.pk}"} <= targets
    assert costs[0] == costs[1]


def test_a_failed_notice_is_retried_and_sent_once(analyst_sumbar, official_sumbar, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    official_sumbar.email = "of.sumbar@example.test"
    official_sumbar.save()
    late, _on_time, _provincial = _overdue_and_open(analyst_sumbar)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    with django_capture_on_commit_callbacks(execute=False):
        services.overdue_notify()
    with pytest.raises(services.DeliveryError):
        services.overdue_deliver(recommendation_id=late.pk)
    failed = OverdueNotice.objects.get(recommendation=late, target="of.sumbar@example.test")
    assert failed.status == "failed" and failed.attempts == 1
    assert "mail server down" in failed.last_error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert late.pk in services.overdue_notify()
    failed.refresh_from_db()
    assert failed.status == "sent" and failed.attempts == 2
    assert [m.to for m in mail.outbox].count(["of.sumbar@example.test"]) == 2  # 2 overdue recs
