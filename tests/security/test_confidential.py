"""Confidential data (issue 7): the informant encrypted at rest and shown only to analysts
and admins, the access log of terbatas and rahasia incidents, history that nobody can alter,
and the retention of personal data (UU PDP 27/2022)."""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kewaspadaan import crypto
from kewaspadaan.choices import AlertStatus
from kewaspadaan.env import EnvError, env_keys
from kewaspadaan.models import Alert, Election, Indicator, Institution, Region, Stage
from laporan import confidential, services
from laporan.models import AccessLog, Evidence, Incident, IncidentActor, PersonalDataErasure

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
WIB = dt.timezone(dt.timedelta(hours=7))
INFORMANT = "Bapak R., anggota grup, 0812-0000-0000"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def case(**overrides) -> services.IncidentData:
    values = dict(
        title="Grup WhatsApp 15 ASN berkampanye untuk paslon",
        narrative="Sebuah grup WhatsApp beranggotakan 15 ASN mengajak memilih paslon.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        actors=[services.ActorData("asn", 15, "ASN Pemko Pariaman, antara lain Sdr. Y")],
        informant=INFORMANT,
    )
    values.update(overrides)
    return services.IncidentData(**values)


@pytest.fixture
def secret(operator_pariaman):
    return services.incident_create(by=operator_pariaman, data=case(classification="rahasia"),
                                    submit=True)


@pytest.fixture
def ordinary(operator_pariaman):
    return services.incident_create(by=operator_pariaman, data=case(title="Biasa saja"),
                                    submit=True)


def raw_informants(table: str, key: str, pk: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT informant FROM {table} WHERE {key} = %s", [pk])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


# --- Encryption at rest -------------------------------------------------------------------

def test_the_informant_column_holds_only_ciphertext_in_the_table_and_its_history(secret):
    stored = raw_informants("laporan_incident", "id", secret.pk)
    versions = raw_informants("laporan_historicalincident", "id", secret.pk)
    assert len(versions) >= 2  # created, then submitted
    for value in stored + versions:
        assert value.startswith("fernet:")
        assert "Bapak" not in value and "0812" not in value
    # Each encryption is fresh (random IV): equal texts do not show as equal in the table.
    assert len(set(versions)) == len(versions)
    assert Incident.objects.get(pk=secret.pk).informant == INFORMANT
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM laporan_incident WHERE informant LIKE %s",
                       ["%0812%"])
        assert cursor.fetchone()[0] == 0


def test_an_empty_informant_stays_empty_and_searching_the_column_is_refused(operator_pariaman):
    incident = services.incident_create(by=operator_pariaman, data=case(informant=""))
    assert raw_informants("laporan_incident", "id", incident.pk) == [""]
    assert Incident.objects.filter(informant="").filter(pk=incident.pk).exists()
    for lookup in ("informant__icontains", "informant__startswith", "informant__gt"):
        with pytest.raises(FieldError):
            Incident.objects.filter(**{lookup: "Bapak"}).exists()
    with pytest.raises(FieldError):
        Incident.objects.filter(informant="Bapak R.").exists()


def test_a_tampered_or_foreign_ciphertext_is_refused(secret):
    value = raw_informants("laporan_incident", "id", secret.pk)[0]
    tampered = value[:-6] + ("A" if value[-6] != "A" else "B") + value[-5:]
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(tampered)
    foreign = "fernet:" + Fernet(Fernet.generate_key()).encrypt(b"x").decode()
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt(foreign)
    with pytest.raises(crypto.UndecryptableValue):
        crypto.decrypt("Bapak R. in clear text")


def test_keys_rotate_the_first_encrypts_the_others_still_decrypt(secret, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Incident.objects.get(pk=secret.pk).informant == INFORMANT  # old key still opens
    rotated = crypto.rotate(raw_informants("laporan_incident", "id", secret.pk)[0])
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == INFORMANT
    with pytest.raises(crypto.UndecryptableValue):
        Incident.objects.get(pk=secret.pk)  # still under the dropped key: a loud error


def test_the_key_variable_is_parsed_strictly(monkeypatch):
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", f"{good},{Fernet.generate_key().decode()}")
    assert env_keys("FIELD_ENCRYPTION_KEYS")[0] == good
    for bad in ("not-a-key", good + ",", f"{good},{good}",
                base64.urlsafe_b64encode(b"short").decode()):
        monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", bad)
        with pytest.raises(EnvError) as refused:
            env_keys("FIELD_ENCRYPTION_KEYS")
        assert "FIELD_ENCRYPTION_KEYS" in str(refused.value)
        assert "not-a-key" not in str(refused.value)  # a key is never printed


def test_production_refuses_to_start_without_keys():
    environment = {k: v for k, v in os.environ.items()
                   if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    environment.update({
        "DEBUG": "false", "SECRET_KEY": "p" * 60, "ALLOWED_HOSTS": "kw.example.go.id",
        "DATABASE_URL": "postgres://kw@db:5432/kw", "KW_DOTENV": "0",
    })
    result = subprocess.run([sys.executable, "-c", "import kewaspadaan.settings"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is required when DEBUG is off" in result.stderr


def test_the_migration_encrypts_clear_text_already_stored_and_reverses(secret, ordinary):
    with connection.cursor() as cursor:
        # As before the migration: clear text (the history trigger is not in the way of
        # the table itself).
        cursor.execute("UPDATE laporan_incident SET informant = %s WHERE id = %s",
                       ["Ibu S. 0813", ordinary.pk])
    migration = importlib.import_module(
        "laporan.migrations.0005_encrypt_informants_append_only_history")
    editor = type("Editor", (), {"connection": connection})()
    with connection.cursor() as cursor:
        cursor.execute("SELECT informant FROM laporan_incident WHERE id = %s", [secret.pk])
        before_secret = cursor.fetchone()[0]
    # Only the incident table: its history is append-only on PostgreSQL.
    original = migration.ENCRYPTED
    migration.ENCRYPTED = [("laporan_incident", "id")]
    try:
        migration.encrypt_informants(None, editor)
        stored = raw_informants("laporan_incident", "id", ordinary.pk)[0]
        assert stored.startswith("fernet:") and "0813" not in stored
        assert Incident.objects.get(pk=ordinary.pk).informant == "Ibu S. 0813"
        # Already encrypted values are left alone (a rerun encrypts nothing twice).
        assert raw_informants("laporan_incident", "id", secret.pk)[0] == before_secret
        migration.decrypt_informants(None, editor)
        assert raw_informants("laporan_incident", "id", ordinary.pk)[0] == "Ibu S. 0813"
        migration.encrypt_informants(None, editor)
    finally:
        migration.ENCRYPTED = original


# --- Who reads the informant ----------------------------------------------------------------

def test_the_informant_is_shown_to_analysts_and_admins_only_in_pages_and_api(
        as_user, api_client, secret, operator_pariaman, analyst_sumbar, official_sumbar,
        admin_user, national_user):
    page = reverse("laporan:incident_detail", args=[secret.pk])
    for user in (analyst_sumbar, admin_user):
        assert "0812-0000-0000" in as_user(user).get(page).content.decode()
    # The reporting operator, an official and the national desk see a redacted marker.
    for user in (operator_pariaman, official_sumbar, national_user):
        response = as_user(user).get(page)
        if response.status_code == 404:
            continue  # rahasia is beyond some roles altogether
        html = response.content.decode()
        assert "0812" not in html and "Bapak R." not in html
        assert confidential.REDACTED in html
    for user in (operator_pariaman, official_sumbar, national_user):
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/incidents/{secret.pk}/")
        if body.status_code == 200:
            assert "informant" not in body.json()
    api_client.force_authenticate(analyst_sumbar)
    assert api_client.get(f"/api/v1/incidents/{secret.pk}/").json()["informant"] == INFORMANT


def test_no_export_carries_the_informant(as_user, secret, analyst_sumbar):
    client = as_user(analyst_sumbar)
    csv_text = b"".join(client.get(reverse("laporan:incident_export_csv")).streaming_content)
    assert b"0812" not in csv_text and b"Bapak R." not in csv_text
    xlsx = client.get(reverse("laporan:incident_export_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not any("0812" in c for c in cells)


# --- Access log -----------------------------------------------------------------------------

def test_viewing_a_confidential_incident_is_logged_with_who_when_what_and_where(
        as_user, secret, ordinary, analyst_sumbar):
    client = as_user(analyst_sumbar)
    before = timezone.now()
    client.get(reverse("laporan:incident_detail", args=[secret.pk]),
               REMOTE_ADDR="203.0.113.9")
    client.get(reverse("laporan:incident_detail", args=[ordinary.pk]))  # biasa: not logged
    entry = AccessLog.objects.get()
    assert entry.user == analyst_sumbar and entry.kind == AccessLog.Kind.VIEW_PAGE
    assert entry.incident_ids == [secret.pk] and entry.ip_address == "203.0.113.9"
    assert entry.at >= before and f"/{secret.pk}/" in entry.what


def test_the_access_log_records_the_address_the_login_lockout_uses(
        as_user, secret, analyst_sumbar, settings):
    # Behind two trusted proxies the client is the second address from the right, as
    # kewaspadaan.auth.client_ip reads it for the lockout; the rightmost is the outer proxy.
    settings.BEHIND_PROXY, settings.TRUSTED_PROXY_COUNT = True, 2
    as_user(analyst_sumbar).get(
        reverse("laporan:incident_detail", args=[secret.pk]), REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9, 10.0.0.1")
    assert AccessLog.objects.get().ip_address == "203.0.113.9"


def test_the_api_logs_retrieve_list_history_and_evidence_downloads(
        api_client, secret, ordinary, analyst_sumbar, operator_pariaman):
    evidence = services.evidence_add(incident=secret, by=operator_pariaman,
                                     upload=SimpleUploadedFile("foto.png", PNG))
    api_client.force_authenticate(analyst_sumbar)
    api_client.get(f"/api/v1/incidents/{secret.pk}/")
    api_client.get(f"/api/v1/incidents/{ordinary.pk}/")
    api_client.get("/api/v1/incidents/")
    api_client.get(f"/api/v1/incidents/{secret.pk}/history/")
    api_client.get(f"/api/v1/evidence/{evidence.pk}/download/")
    kinds = list(AccessLog.objects.order_by("id").values_list("kind", "incident_ids"))
    assert kinds == [("view_api", [secret.pk]), ("view_api", [secret.pk]),
                     ("view_api", [secret.pk]), ("document", [secret.pk])]


def test_a_page_download_of_a_confidential_incidents_evidence_is_logged(
        as_user, secret, ordinary, analyst_sumbar, operator_pariaman):
    kept = services.evidence_add(incident=secret, by=operator_pariaman,
                                 upload=SimpleUploadedFile("foto.png", PNG))
    plain = services.evidence_add(incident=ordinary, by=operator_pariaman,
                                  upload=SimpleUploadedFile("foto.png", PNG))
    client = as_user(analyst_sumbar)
    for evidence in (kept, plain):
        response = client.get(reverse("laporan:evidence_download", args=[evidence.pk]))
        assert response.status_code == 200
    assert list(AccessLog.objects.values_list("kind", "incident_ids")) == [
        (AccessLog.Kind.DOCUMENT, [secret.pk])]  # biasa: not logged


def test_an_export_is_logged_once_with_its_ids_filter_and_row_count(
        as_user, secret, ordinary, analyst_sumbar, operator_pariaman):
    other = services.incident_create(by=operator_pariaman,
                                     data=case(classification="terbatas", title="Terbatas"),
                                     submit=True)
    client = as_user(analyst_sumbar)
    b"".join(client.get(reverse("laporan:incident_export_csv") + "?region=13.77")
             .streaming_content)
    entry = AccessLog.objects.get()
    assert entry.kind == AccessLog.Kind.EXPORT
    assert entry.incident_ids == sorted([secret.pk, other.pk])
    assert entry.row_count == 3 and "region=13.77" in entry.what and "CSV" in entry.what
    client.get(reverse("laporan:incident_export_xlsx") + "?classification=biasa")
    assert AccessLog.objects.count() == 1  # only biasa rows: nothing confidential left


def test_the_access_log_is_read_only_in_the_admin(as_user, secret, admin_user, analyst_sumbar):
    as_user(analyst_sumbar).get(reverse("laporan:incident_detail", args=[secret.pk]))
    entry = AccessLog.objects.get()
    client = as_user(admin_user)
    assert client.get("/admin/laporan/accesslog/").status_code == 200
    assert client.post(f"/admin/laporan/accesslog/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    client.post(f"/admin/laporan/accesslog/{entry.pk}/change/", {"what": "x"})
    entry.refresh_from_db()
    assert entry.what != "x" and AccessLog.objects.count() == 1


# --- Append-only history (PostgreSQL) -------------------------------------------------------

def _refused(sql: str, params: list) -> None:
    with pytest.raises((InternalError, ProgrammingError, IntegrityError)) as refused:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    assert "append-only" in str(refused.value)


@pytest.mark.postgres
def test_history_rows_refuse_update_and_delete_in_the_database(
        secret, analyst_sumbar, operator_pariaman, as_user):
    as_user(analyst_sumbar).get(reverse("laporan:incident_detail", args=[secret.pk]))
    services.incident_verify(incident=secret, by=analyst_sumbar, reliability="B",
                             credibility=2)
    referral = services.referral_create(
        incident=secret, by=analyst_sumbar,
        institution=Institution.objects.first(), subject="ASN", count=15,
        referred_on=dt.date(2024, 10, 15))
    history = Incident.history.model.objects.filter(id=secret.pk).first().history_id
    for sql, params in [
        ("UPDATE laporan_historicalincident SET title = 'x' WHERE history_id = %s", [history]),
        ("UPDATE laporan_historicalincident SET informant = 'Bapak R.' WHERE history_id = %s",
         [history]),
        ("DELETE FROM laporan_historicalincident WHERE history_id = %s", [history]),
        ("UPDATE laporan_historicalreferral SET subject = 'x' WHERE id = %s", [referral.pk]),
        ("DELETE FROM laporan_historicalreferral WHERE id = %s", [referral.pk]),
        ("UPDATE laporan_accesslog SET what = 'x'", []),
        ("DELETE FROM laporan_accesslog", []),
    ]:
        _refused(sql, params)
    # The one change let through: the retention job blanking the informant.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE laporan_historicalincident SET informant = '' "
                       "WHERE history_id = %s", [history])
        assert cursor.rowcount == 1
    _refused("UPDATE laporan_historicalincident SET informant = '', title = 'x' "
             "WHERE history_id = %s", [history])


@pytest.mark.postgres
def test_alert_and_recommendation_history_is_kept_and_append_only(analyst_sumbar):
    from forkopimda.models import Recommendation

    alert = Alert(rule="critical", condition_key="test:critical:13.77",
                  region=Region.objects.get(code="13.77"), title="Kejadian kritis",
                  message="Uji")
    alert.save(force_insert=True)
    # Acknowledge and resolve as the risk engine does: one UPDATE each, no save().
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.ACKNOWLEDGED,
                                             acknowledged_by=analyst_sumbar,
                                             acknowledged_at=timezone.now())
    versions = list(Alert.history.filter(id=alert.pk).order_by("history_id"))
    assert [v.status for v in versions] == ["new", "acknowledged"]
    assert versions[-1].history_user_id == analyst_sumbar.pk
    _refused("DELETE FROM laporan_historicalalert WHERE id = %s", [alert.pk])
    _refused("UPDATE laporan_historicalalert SET status = 'new' WHERE id = %s", [alert.pk])
    from forkopimda import services as forum_services

    recommendation = forum_services.recommendation_create(
        by=analyst_sumbar, data=forum_services.RecommendationData(
            title="Netralitas ASN", text="Pemko menertibkan grup WhatsApp ASN.",
            region=Region.objects.get(code="13.77")))
    versions = Recommendation.history.filter(id=recommendation.pk)
    assert [v.history_type for v in versions] == ["+"]
    _refused("DELETE FROM forkopimda_historicalrecommendation", [])
    _refused("UPDATE forkopimda_historicalrecommendation SET title = 'x'", [])


def test_history_models_are_read_only_in_the_admin(as_user, secret, admin_user):
    client = as_user(admin_user)
    response = client.get(f"/admin/laporan/incident/{secret.pk}/history/")
    assert response.status_code == 200
    record = Incident.history.model.objects.filter(id=secret.pk).first()
    revert = client.post(f"/admin/laporan/incident/{secret.pk}/history/{record.history_id}/",
                         {"title": "diubah"})
    assert revert.status_code != 302  # never "saved": the page only shows the version
    assert Incident.objects.get(pk=secret.pk).title != "diubah"


# --- Retention (UU PDP 27/2022) ---------------------------------------------------------------

def _close(incident, analyst):
    incident = services.incident_verify(incident=incident, by=analyst, reliability="B",
                                        credibility=2)
    return services.incident_close(incident=incident, by=analyst, reason="Selesai")


@pytest.fixture
def dispute_over():
    """The Pilkada 2024 winners declared (its dispute period over) on 2025-02-10."""
    election = Election.objects.filter(stages__slug=confidential.DISPUTE_END_STAGE).get()
    Stage.objects.filter(election=election, slug=confidential.DISPUTE_END_STAGE).update(
        start_date=dt.date(2025, 2, 6), end_date=dt.date(2025, 2, 10))
    return election


def test_retention_erases_personal_data_of_finished_incidents_and_keeps_the_counts(
        settings, dispute_over, operator_pariaman, analyst_sumbar,
        django_capture_on_commit_callbacks):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    closed = services.incident_create(by=operator_pariaman, data=case(), submit=True)
    evidence = services.evidence_add(incident=closed, by=operator_pariaman,
                                     upload=SimpleUploadedFile("foto.png", PNG))
    path = evidence.file.path
    closed = _close(closed, analyst_sumbar)
    open_one = services.incident_create(by=operator_pariaman, data=case(title="Masih terbuka"),
                                        submit=True)
    assert closed.election_id == dispute_over.pk
    before = {"actors": list(IncidentActor.objects.filter(incident=closed)
                             .values_list("actor_type", "count")),
              "status": closed.status, "classification": closed.classification}

    # Inside the period: nothing goes.
    assert confidential.erase_personal_data(today=dt.date(2025, 3, 12)) == []
    with django_capture_on_commit_callbacks(execute=True):
        erased = confidential.erase_personal_data(today=dt.date(2025, 3, 13))
    assert [e.incident_id for e in erased] == [closed.pk]
    record = PersonalDataErasure.objects.get(incident=closed)
    assert record.informant_erased and record.actor_descriptions_erased == 1
    assert record.evidence_files_erased == 1 and record.retention_ends == dt.date(2025, 3, 12)

    closed.refresh_from_db()
    assert closed.informant == "" and not Evidence.objects.filter(incident=closed).exists()
    assert not os.path.exists(path)
    assert list(IncidentActor.objects.filter(incident=closed)
                .values_list("actor_type", "count")) == before["actors"]
    assert IncidentActor.objects.get(incident=closed).description == ""
    assert (closed.status, closed.classification) == (before["status"],
                                                      before["classification"])
    assert set(Incident.history.model.objects.filter(id=closed.pk)
               .values_list("informant", flat=True)) == {""}
    # The incident still open keeps its informant; a rerun erases nothing twice.
    assert Incident.objects.get(pk=open_one.pk).informant == INFORMANT
    assert confidential.erase_personal_data(today=dt.date(2025, 3, 14)) == []
    assert PersonalDataErasure.objects.count() == 1


def test_retention_waits_while_the_dispute_period_is_open(settings, operator_pariaman,
                                                          analyst_sumbar):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    Stage.objects.filter(slug=confidential.DISPUTE_END_STAGE).update(end_date=None)
    closed = _close(services.incident_create(by=operator_pariaman, data=case(), submit=True),
                    analyst_sumbar)
    assert closed.election_id is not None
    assert confidential.erase_personal_data(today=dt.date(2030, 1, 1)) == []
    assert Incident.objects.get(pk=closed.pk).informant == INFORMANT


def test_the_retention_task_is_scheduled_nightly_and_runs(settings, dispute_over,
                                                           operator_pariaman, analyst_sumbar):
    from kewaspadaan.celery import app
    from laporan.tasks import erase_personal_data

    entry = next(e for e in app.conf.beat_schedule.values()
                 if e["task"] == "laporan.tasks.erase_personal_data")
    assert entry["schedule"].hour == {2}
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    _close(services.incident_create(by=operator_pariaman, data=case(), submit=True),
           analyst_sumbar)
    assert erase_personal_data.apply().get() == 1
    assert erase_personal_data.apply().get() == 0


def test_rotate_field_keys_re_encrypts_the_table_and_its_history(secret, settings):
    from django.core.management import call_command

    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "values re-encrypted" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    assert Incident.objects.get(pk=secret.pk).informant == INFORMANT
    for value in (raw_informants("laporan_historicalincident", "id", secret.pk)
                  + raw_informants("laporan_incident", "id", secret.pk)):
        assert crypto.decrypt(value) == INFORMANT


@pytest.mark.postgres
def test_history_refuses_clear_text_in_place_of_ciphertext(secret):
    history = Incident.history.model.objects.filter(id=secret.pk).first().history_id
    _refused("UPDATE laporan_historicalincident SET informant = 'Bapak R.' "
             "WHERE history_id = %s", [history])


def test_retention_of_an_incident_outside_any_election_counts_from_its_last_change(
        settings, operator_pariaman, analyst_sumbar):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    closed = _close(services.incident_create(
        by=operator_pariaman, data=case(occurred_at=dt.datetime(2023, 3, 1, 9, 0, tzinfo=WIB)),
        submit=True), analyst_sumbar)
    Incident.objects.filter(pk=closed.pk).update(election=None)  # no election to wait for
    last_change = timezone.localdate(closed.updated_at)
    assert confidential.erase_personal_data(today=last_change + dt.timedelta(days=30)) == []
    erased = confidential.erase_personal_data(today=last_change + dt.timedelta(days=31))
    assert [e.incident_id for e in erased] == [closed.pk]
    assert Incident.objects.get(pk=closed.pk).informant == ""
