"""The import pages and the CSV / XLSX exports, through HTTP as users meet them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kewaspadaan.models import Indicator, Region, Stage
from laporan import services, transfer
from laporan.choices import ImportStatus, Status
from laporan.models import ImportBatch, Incident, IncidentActor
from tests.factories import UserFactory
from tests.services.test_import_export import EXPECTED_ERRORS, ROWS, csv_file, xlsx_file

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def english(client):
    """Pages in English (the switcher's cookie), so reasons are asserted by their msgids."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def analyst(english, analyst_sumbar):
    english.force_login(analyst_sumbar)
    return english


def url(name, *args) -> str:
    return reverse(f"laporan:{name}", args=args)


def upload(client, file) -> object:
    return client.post(url("incident_import"), {"file": file})


# --- Who may use the pages ----------------------------------------------------------------

def test_pages_need_a_login(client):
    for name in ("incident_import", "incident_export_csv", "incident_export_xlsx",
                 "incident_import_template_csv"):
        response = client.get(url(name))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_operator_may_neither_import_nor_export(client, operator_pariaman):
    client.force_login(operator_pariaman)
    for name in ("incident_import", "incident_import_template_csv",
                 "incident_import_template_xlsx", "incident_export_csv",
                 "incident_export_xlsx"):
        assert client.get(url(name)).status_code == 403, name
    response = client.post(url("incident_import"), {"file": csv_file(ROWS)})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", ["official_sumbar", "national_user"])
def test_officials_and_national_users_export_but_do_not_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url("incident_import")).status_code == 403
    assert client.get(url("incident_export_csv")).status_code == 200
    assert client.get(url("incident_export_xlsx")).status_code == 200


# --- Import -----------------------------------------------------------------------------

def test_the_upload_page_offers_both_templates(analyst):
    html = analyst.get(url("incident_import")).content.decode()
    assert url("incident_import_template_csv") in html
    assert url("incident_import_template_xlsx") in html
    assert 'enctype="multipart/form-data"' in html


def test_the_templates_download_with_the_column_names(analyst):
    response = analyst.get(url("incident_import_template_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == (
        transfer.COLUMN_KEYS)
    response = analyst.get(url("incident_import_template_xlsx"))
    assert response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == transfer.COLUMN_KEYS
    assert len(workbook.worksheets) == 2


@pytest.mark.parametrize("make", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_upload_preview_confirm_and_upload_again(analyst, analyst_sumbar, make):
    response = upload(analyst, make(ROWS))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response.url == url("incident_import_preview", batch.pk)
    assert not Incident.objects.exists()

    html = analyst.get(response.url).content.decode()
    for line, (column, reason) in EXPECTED_ERRORS.items():
        assert f'<tr id="row-{line}"><td class="num">{line}</td>' in html
        assert f"<code>{column}</code>: " in html
        assert reason.split("“")[0] in html
    assert "Same reference as row 2; it will be skipped." in html
    assert "Confirm to create 3 incidents." in html

    response = analyst.post(url("incident_import_confirm", batch.pk), follow=True)
    assert "3 incidents were imported and submitted for verification." in (
        response.content.decode())
    assert set(Incident.objects.values_list("external_ref", flat=True)) == {
        "BWS-001", "BWS-002", "BWS-010"}
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.SUBMITTED}

    upload(analyst, make(ROWS))
    again = ImportBatch.objects.latest("pk")
    assert again.rows == []
    html = analyst.get(url("incident_import_preview", again.pk)).content.decode()
    assert "Already imported; it will be skipped." in html
    assert "No row can be imported." in html
    assert f'action="{url("incident_import_confirm", again.pk)}"' not in html
    assert Incident.objects.count() == 3


def test_a_semicolon_file_from_indonesian_excel_is_read(analyst):
    upload(analyst, csv_file(ROWS, delimiter=";", bom=False))
    batch = ImportBatch.objects.get()
    assert [r["line"] for r in batch.rows] == [2, 3, 11]
    assert sorted(e["line"] for e in batch.errors) == sorted(EXPECTED_ERRORS)


def test_an_unusable_file_is_refused_on_the_form_and_nothing_is_kept(analyst):
    response = upload(analyst, SimpleUploadedFile("lama.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 99))
    assert response.status_code == 200
    assert "This is an old Excel file (.xls)." in response.content.decode()
    big = SimpleUploadedFile("besar.csv", b"a" * (5 * 1024 * 1024 + 1))
    assert "larger than 5 MB" in upload(analyst, big).content.decode()
    assert "not UTF-8" in upload(analyst, SimpleUploadedFile(
        "x.csv", ",".join(transfer.COLUMN_KEYS).encode() + b"\n\xe9t\xe9\n")).content.decode()
    assert not ImportBatch.objects.exists()


def test_a_failure_at_confirm_writes_nothing_and_says_why(analyst):
    upload(analyst, csv_file(ROWS))
    batch = ImportBatch.objects.get()
    Indicator.objects.filter(code="uang-tunai").update(is_active=False)
    response = analyst.post(url("incident_import_confirm", batch.pk))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was imported: row 3 no longer passes the checks" in html
    assert not Incident.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW


def test_a_batch_is_visible_to_its_uploader_only(client, analyst, analyst_sumbar):
    upload(analyst, csv_file(ROWS))
    batch = ImportBatch.objects.get()
    colleague = UserFactory(username="an.sumbar2", role="analyst", jurisdiction_code="13")
    client.force_login(colleague)
    assert client.get(url("incident_import_preview", batch.pk)).status_code == 404
    assert client.post(url("incident_import_confirm", batch.pk)).status_code == 404
    assert client.post(url("incident_import_discard", batch.pk)).status_code == 404
    assert not Incident.objects.exists()
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEW


def test_confirm_and_discard_need_a_post(analyst):
    upload(analyst, csv_file(ROWS))
    batch = ImportBatch.objects.get()
    assert analyst.get(url("incident_import_confirm", batch.pk)).status_code == 405
    assert analyst.get(url("incident_import_discard", batch.pk)).status_code == 405


def test_a_discarded_batch_is_gone_for_good(analyst):
    upload(analyst, csv_file(ROWS))
    batch = ImportBatch.objects.get()
    response = analyst.post(url("incident_import_discard", batch.pk), follow=True)
    assert "The import was discarded; nothing was written." in response.content.decode()
    response = analyst.post(url("incident_import_confirm", batch.pk))
    assert response.status_code == 409
    assert "already confirmed or discarded" in response.content.decode()
    assert not Incident.objects.exists()


# --- Export -----------------------------------------------------------------------------

@pytest.fixture
def incidents(analyst_sumbar):
    """Pariaman: three titles that are formulas, one secret; Solok: one ordinary."""

    def create(title, region="13.77", classification="biasa"):
        return services.incident_create(by=analyst_sumbar, data=services.IncidentData(
            title=title, narrative="Uraian kejadian.", region=Region.objects.get(code=region),
            occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
            indicator=Indicator.objects.get(code="asn-grup-percakapan"),
            source_type="bawaslu", classification=classification,
            informant="Pak Budi 0812-3456-7890",
            actors=[services.ActorData("asn", 15)],
        ), submit=True)  # drafts are their reporter's and the analysts' only

    return {
        "hyperlink": create('=HYPERLINK("http://contoh.test","klik")'),
        "plus": create("+1 ASN hadir kampanye"),
        "at": create("@SUM(1+1)"),
        "secret": create("Laporan intelijen", classification="rahasia"),
        "solok": create("Kejadian di Solok", region="13.72"),
    }


def export_csv(client, query: str = "") -> list[list[str]]:
    response = client.get(url("incident_export_csv") + query)
    assert response.status_code == 200 and response.streaming
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export_xlsx(client, query: str = "") -> list[tuple]:
    response = client.get(url("incident_export_xlsx") + query)
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def titles(rows) -> set[str]:
    header = list(rows[0])
    return {r[header.index("Title")] for r in rows[1:]}


def test_the_csv_export_has_the_filtered_rows_with_formulas_neutralised(analyst, incidents):
    rows = export_csv(analyst, "?region=13.77")
    header = rows[0]
    assert header[:3] == ["Reference", "External reference", "Time of the event (region's time)"]
    assert titles(rows) == {
        '\'=HYPERLINK("http://contoh.test","klik")', "'+1 ASN hadir kampanye", "'@SUM(1+1)",
        "Laporan intelijen",
    }
    first = dict(zip(header, rows[1], strict=True))
    assert first["Time of the event (region's time)"] == "2024-10-14T09:30:00+07:00"
    assert first["Kab/kota code"] == "13.77" and first["Actors"] == "15 ASN"
    assert first["Reported by"]
    everything = "\n".join(",".join(r) for r in rows)
    assert "Pak Budi" not in everything and "0812" not in everything
    assert not any("informant" in h.lower() for h in header)


def test_the_xlsx_export_writes_formulas_as_text(analyst, incidents):
    rows = export_xlsx(analyst, "?region=13.77")
    assert titles(rows) == {
        '\'=HYPERLINK("http://contoh.test","klik")', "'+1 ASN hadir kampanye", "'@SUM(1+1)",
        "Laporan intelijen",
    }
    header = list(rows[0])
    assert rows[1][header.index("Time of the event (region's time)")] == dt.datetime(
        2024, 10, 14, 9, 30)
    assert rows[1][header.index("Time zone")] == "WIB"
    assert "Pak Budi" not in repr(rows)


def test_xlsx_formula_cells_are_stored_as_strings(analyst, incidents):
    response = analyst.get(url("incident_export_xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    column = [c.value for c in sheet[1]].index("Title") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert all(c.data_type == "s" for c in cells)
    assert not any(str(c.value).startswith(("=", "+", "@")) for c in cells)


def test_the_export_applies_every_filter_of_the_list(analyst, incidents):
    assert titles(export_csv(analyst, "?region=13.72")) == {"Kejadian di Solok"}
    assert titles(export_csv(analyst, "?q=intelijen")) == {"Laporan intelijen"}
    assert titles(export_csv(analyst, "?classification=rahasia")) == {"Laporan intelijen"}
    assert titles(export_csv(analyst, "?date_from=2024-10-15")) == set()


def test_an_invalid_filter_is_refused_rather_than_widened(analyst, incidents):
    response = analyst.get(url("incident_export_csv") + "?date_from=kemarin")
    assert response.status_code == 400
    assert "date_from" in response.content.decode()


def test_an_official_exports_no_secret_incident(english, official_sumbar, incidents):
    english.force_login(official_sumbar)
    for rows in (export_csv(english), export_xlsx(english)):
        found = titles(rows)
        assert "Laporan intelijen" not in found
        assert "Kejadian di Solok" in found and len(found) == 4


def test_the_export_stays_in_the_jurisdiction(english, incidents):
    analyst_solok = UserFactory(username="an.solok", role="analyst", jurisdiction_code="13.72")
    english.force_login(analyst_solok)
    assert titles(export_csv(english)) == {"Kejadian di Solok"}
    official_jateng = UserFactory(username="of.jateng", role="official",
                                  jurisdiction_code="33")
    english.force_login(official_jateng)
    assert len(export_csv(english)) == 1  # the header only
    assert len(export_xlsx(english, "?region=13.77")) == 1


def test_the_export_file_name_carries_the_date(analyst, incidents):
    today = timezone.localdate().isoformat()
    response = analyst.get(url("incident_export_csv"))
    assert f'filename="kejadian-{today}.csv"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    response = analyst.get(url("incident_export_xlsx"))
    assert f'filename="kejadian-{today}.xlsx"' in response["Content-Disposition"]


def test_exporting_5000_incidents_reads_them_in_chunks(analyst, analyst_sumbar,
                                                      django_assert_max_num_queries):
    """Not a speed test: the number of queries stays a few per chunk, whatever the size."""
    model = services.incident_create(by=analyst_sumbar, data=services.IncidentData(
        title="Kejadian 0", narrative="Uraian.", region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
    ))
    stage = Stage.objects.get(slug="kampanye", election=model.election)
    copies = Incident.objects.bulk_create(
        [Incident(title=f"Kejadian {n}", narrative="Uraian.", region_id="13.77",
                  occurred_at=model.occurred_at, indicator_id=model.indicator_id,
                  athg=model.athg, source_type="bawaslu", status=Status.SUBMITTED,
                  election=model.election, created_by=analyst_sumbar)
         for n in range(1, 5000)],
        batch_size=500,
    )
    IncidentActor.objects.bulk_create(
        [IncidentActor(incident=i, actor_type="asn", count=3) for i in copies], batch_size=500)
    Incident.stages.through.objects.bulk_create(
        [Incident.stages.through(incident_id=i.pk, stage_id=stage.pk) for i in copies],
        batch_size=500)

    chunks = math.ceil(5000 / transfer.EXPORT_CHUNK_SIZE)
    with django_assert_max_num_queries(6 + 3 * chunks) as captured:
        response = analyst.get(url("incident_export_csv"))
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 5001
    print(f"\n5,000 incidents exported as CSV in {len(captured)} queries")
