"""Bulk import (preview, confirm, discard) and export of incidents, on the real rules.

Reasons are asserted in English (their msgids): the Indonesian catalogue may change its
wording, the rule behind a reason must not.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from kewaspadaan.models import Indicator, Region
from laporan import services, transfer
from laporan.choices import ImportStatus, Status
from laporan.models import ImportBatch, Incident
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
WIT = dt.timezone(dt.timedelta(hours=9))

HEADER = transfer.COLUMN_KEYS


def row(**values) -> dict:
    base = {
        "ref_eksternal": "BWS-001", "kode_wilayah": "13.77", "kode_kecamatan": "",
        "kode_desa": "", "waktu_kejadian": "2024-10-14 09:30",
        "kode_indikator": "asn-grup-percakapan", "judul": "Grup WhatsApp 15 ASN berkampanye",
        "uraian": "Grup WhatsApp 15 ASN Pemko Pariaman mengajak memilih satu paslon.",
        "jenis_sumber": "bawaslu", "keandalan_sumber": "B", "kredibilitas_informasi": "2",
        "keparahan": "3", "klasifikasi": "biasa", "luka": "0", "meninggal": "0",
        "jenis_pelaku": "asn", "jumlah_pelaku": "15",
    }
    base.update(values)
    return base


# The file of the scenario: good rows, every kind of bad row, and a repeated reference.
# Row numbers are those of the spreadsheet: the header is row 1.
ROWS = [
    row(ref_eksternal="BWS-001", kode_desa="13.77.01.1001"),                        # 2 good
    row(ref_eksternal="BWS-002", kode_indikator="uang-tunai", jenis_pelaku="",
        jumlah_pelaku="", judul="Bagi-bagi amplop di pasar"),                        # 3 good
    row(ref_eksternal="BWS-003", kode_wilayah="99.99"),                              # 4
    row(ref_eksternal="BWS-004", kode_wilayah="32.73"),                              # 5
    row(ref_eksternal="BWS-005", kode_indikator="tidak-ada"),                        # 6
    row(ref_eksternal="BWS-006", kode_indikator="asn"),                              # 7
    row(ref_eksternal="BWS-007", waktu_kejadian="2099-01-01 10:00"),                 # 8
    row(ref_eksternal="BWS-008", keandalan_sumber="G"),                              # 9
    row(ref_eksternal="BWS-009", judul=""),                                          # 10
    row(ref_eksternal="BWS-010", kode_wilayah="13.72", kode_kecamatan="13.72.01",
        judul="Kepala desa membagikan sembako"),                                     # 11 good
    row(ref_eksternal="BWS-001", judul="Baris ganda"),                               # 12 repeat
]

EXPECTED_ERRORS = {
    4: ("kode_wilayah", "Unknown region code “99.99”"),
    5: ("kode_wilayah", "outside your jurisdiction"),
    6: ("kode_indikator", "Unknown indicator code “tidak-ada”"),
    7: ("kode_indikator", "not a category"),
    8: ("waktu_kejadian", "cannot be in the future"),
    9: ("keandalan_sumber", "write a letter from A to F"),
    10: ("judul", "Required, but empty"),
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_file(rows, *, delimiter=",", bom=True, name="kejadian.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    for values in rows:
        writer.writerow([values.get(key, "") for key in HEADER])
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _cell(key, value):
    """What Excel itself would store: numbers as numbers, the time as a date cell."""
    if value == "":
        return None
    if key in {"kredibilitas_informasi", "keparahan", "luka", "meninggal", "jumlah_pelaku"}:
        try:
            return float(value) if key == "jumlah_pelaku" else int(value)
        except ValueError:
            return value
    if key == "waktu_kejadian":
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M")
    return value


def xlsx_file(rows, *, name="kejadian.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append([_cell(key, values.get(key, "")) for key in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


FORMATS = {
    "csv-comma-bom": lambda rows: csv_file(rows),
    "csv-semicolon-no-bom": lambda rows: csv_file(rows, delimiter=";", bom=False),
    "xlsx": lambda rows: xlsx_file(rows),
}


def errors_by_line(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    return {e["line"]: [(p["column"], p["message"]) for p in e["problems"]]
            for e in batch.errors}


# --- Preview ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(FORMATS))
def test_the_preview_reports_every_bad_row_with_its_row_number_and_writes_nothing(
        analyst_sumbar, kind):
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=FORMATS[kind](ROWS))

    assert not Incident.objects.exists()
    assert batch.status == ImportStatus.PREVIEW and batch.total_rows == 11
    assert [r["line"] for r in batch.rows] == [2, 3, 11]
    found = errors_by_line(batch)
    assert sorted(found) == sorted(EXPECTED_ERRORS)
    for line, (column, reason) in EXPECTED_ERRORS.items():
        assert any(c == column and reason in m for c, m in found[line]), (line, found[line])
    # One reason per problem: the unknown region is not also "choose a kab/kota".
    assert len(found[4]) == 1
    assert batch.duplicates == [
        {"line": 12, "external_ref": "BWS-001",
         "reason": "Same reference as row 2; it will be skipped."},
    ]


def test_a_row_with_several_problems_lists_them_all(analyst_sumbar):
    bad = row(judul="", uraian="", keparahan="9", luka="-1", jenis_sumber="koran",
              jenis_pelaku="alien", kode_kecamatan="13.72.01")
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file([bad]))
    columns = {c for c, _m in errors_by_line(batch)[2]}
    assert columns == {"judul", "uraian", "keparahan", "luka", "jenis_sumber", "jenis_pelaku",
                       "kode_kecamatan"}
    messages = dict(errors_by_line(batch)[2])
    assert messages["kode_kecamatan"] == "This kecamatan is not in the chosen kab/kota."
    assert "laporan_masyarakat" in messages["jenis_sumber"]


def test_the_time_is_read_on_the_regions_own_clock(admin_user):
    batch = transfer.incident_import_preview(by=admin_user, upload=csv_file([
        row(ref_eksternal="JPR-1", kode_wilayah="91.71", waktu_kejadian="14/10/2024 09.30"),
        row(ref_eksternal="PRM-1", waktu_kejadian="2024-10-14T09:30"),
    ]))
    assert batch.errors == []
    transfer.incident_import_confirm(batch=batch, by=admin_user)
    assert Incident.objects.get(external_ref="JPR-1").occurred_at == dt.datetime(
        2024, 10, 14, 9, 30, tzinfo=WIT)
    assert Incident.objects.get(external_ref="PRM-1").occurred_at == dt.datetime(
        2024, 10, 14, 9, 30, tzinfo=WIB)


def test_an_unformatted_excel_cell_keeps_the_kabkota_code(analyst_sumbar):
    # Excel turns 13.10 (Dharmasraya) typed in a General cell into the number 13.1.
    upload = xlsx_file([row(ref_eksternal="X-1", kode_wilayah="13.10")])
    workbook = openpyxl.load_workbook(io.BytesIO(upload.read()))
    workbook.active["B2"] = 13.1
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = transfer.incident_import_preview(
        by=analyst_sumbar, upload=SimpleUploadedFile("angka.xlsx", buffer.getvalue()))
    assert batch.errors == [] and batch.rows[0]["region"] == "13.10"


# --- Confirm ----------------------------------------------------------------------------

def test_confirm_creates_exactly_the_good_rows_as_submitted_incidents(analyst_sumbar):
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    batch = transfer.incident_import_confirm(batch=batch, by=analyst_sumbar)

    assert batch.status == ImportStatus.COMMITTED and batch.created_count == 3
    assert batch.committed_at is not None
    incidents = {i.external_ref: i for i in Incident.objects.all()}
    assert set(incidents) == {"BWS-001", "BWS-002", "BWS-010"}
    first = incidents["BWS-001"]
    assert first.status == Status.SUBMITTED and first.created_by == analyst_sumbar
    assert first.occurred_at == dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB)
    assert first.kecamatan_id == "13.77.01"  # filled in from the desa
    assert first.desa_id == "13.77.01.1001"
    assert (first.source_reliability, first.information_credibility, first.severity) == (
        "B", 2, 3)
    assert [(a.actor_type, a.count) for a in first.actors.all()] == [("asn", 15)]
    assert [s.slug for s in first.stages.all()] == ["kampanye"]
    assert [t.to_status for t in first.transitions.all()] == [Status.DRAFT, Status.SUBMITTED]
    assert incidents["BWS-002"].actors.count() == 0
    assert incidents["BWS-010"].region_id == "13.72"


def test_importing_the_same_file_again_creates_nothing_new(analyst_sumbar):
    first = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    transfer.incident_import_confirm(batch=first, by=analyst_sumbar)
    again = transfer.incident_import_preview(by=analyst_sumbar, upload=xlsx_file(ROWS))

    assert again.rows == []
    skipped = {d["line"]: d["reason"] for d in again.duplicates}
    assert {line for line, reason in skipped.items() if "Already imported" in reason} == {
        2, 3, 11, 12}
    assert sorted(errors_by_line(again)) == sorted(EXPECTED_ERRORS)
    transfer.incident_import_confirm(batch=again, by=analyst_sumbar)
    assert Incident.objects.count() == 3


def test_rows_imported_by_another_upload_meanwhile_are_skipped_at_confirm(analyst_sumbar,
                                                                          admin_user):
    mine = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    theirs = transfer.incident_import_preview(by=admin_user, upload=csv_file(ROWS[:1]))
    transfer.incident_import_confirm(batch=theirs, by=admin_user)
    mine = transfer.incident_import_confirm(batch=mine, by=analyst_sumbar)
    assert mine.created_count == 2
    assert Incident.objects.count() == 3
    assert any(d["line"] == 2 and "meanwhile" in d["reason"] for d in mine.duplicates)


def test_a_row_failing_at_confirm_rolls_back_every_row(analyst_sumbar):
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    # Between preview and confirm an administrator retires the indicator of row 3.
    Indicator.objects.filter(code="uang-tunai").update(is_active=False)

    with pytest.raises(ValidationError) as excinfo:
        transfer.incident_import_confirm(batch=batch, by=analyst_sumbar)
    message = " ".join(excinfo.value.messages)
    assert "Nothing was imported" in message and "row 3" in message
    assert "not a category" in message
    assert not Incident.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW and batch.created_count == 0


def test_a_batch_is_confirmed_once(analyst_sumbar):
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS[:2]))
    transfer.incident_import_confirm(batch=batch, by=analyst_sumbar)
    with pytest.raises(ValidationError, match="already confirmed or discarded"):
        transfer.incident_import_confirm(batch=batch, by=analyst_sumbar)
    assert Incident.objects.count() == 2


def test_a_discarded_batch_writes_nothing_and_cannot_be_confirmed(analyst_sumbar):
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    batch = transfer.incident_import_discard(batch=batch, by=analyst_sumbar)
    assert batch.status == ImportStatus.DISCARDED and batch.rows == []
    with pytest.raises(ValidationError):
        transfer.incident_import_confirm(batch=batch, by=analyst_sumbar)
    assert not Incident.objects.exists()


def test_a_batch_belongs_to_its_uploader(analyst_sumbar):
    other = UserFactory(username="an.sumbar2", role="analyst", jurisdiction_code="13")
    batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(ROWS))
    assert transfer.import_batch_get(user=other, pk=batch.pk) is None
    assert transfer.import_batch_get(user=analyst_sumbar, pk=batch.pk) == batch
    with pytest.raises(PermissionDenied):
        transfer.incident_import_confirm(batch=batch, by=other)
    with pytest.raises(PermissionDenied):
        transfer.incident_import_discard(batch=batch, by=other)


@pytest.mark.parametrize("persona", ["operator_pariaman", "official_sumbar", "national_user"])
def test_only_analysts_and_admins_import(request, persona):
    with pytest.raises(PermissionDenied):
        transfer.incident_import_preview(by=request.getfixturevalue(persona),
                                         upload=csv_file(ROWS))
    assert not ImportBatch.objects.exists()


# --- Files refused whole ----------------------------------------------------------------

def _refusal(user, upload) -> str:
    with pytest.raises(ValidationError) as excinfo:
        transfer.incident_import_preview(by=user, upload=upload)
    assert list(excinfo.value.message_dict) == ["file"]
    assert not ImportBatch.objects.exists()
    return " ".join(excinfo.value.message_dict["file"])


def test_a_file_over_5_mb_is_refused(analyst_sumbar):
    upload = csv_file(ROWS)
    big = SimpleUploadedFile("besar.csv", upload.read() + b"x" * (5 * 1024 * 1024))
    assert "larger than 5 MB" in _refusal(analyst_sumbar, big)


def test_a_file_over_the_row_limit_is_refused(analyst_sumbar):
    rows = [row(ref_eksternal=f"R-{n}") for n in range(transfer.MAX_ROWS + 1)]
    assert "more than 2,000 rows" in _refusal(analyst_sumbar, csv_file(rows))


def test_a_file_of_the_maximum_size_is_accepted(analyst_sumbar, django_assert_max_num_queries):
    rows = [row(ref_eksternal=f"R-{n}") for n in range(transfer.MAX_ROWS)]
    # Codes and references are looked up in bulk (500 per query), never row by row.
    with django_assert_max_num_queries(20):
        batch = transfer.incident_import_preview(by=analyst_sumbar, upload=csv_file(rows))
    assert len(batch.rows) == transfer.MAX_ROWS and batch.errors == []


def test_a_file_that_is_not_utf8_is_refused_with_advice(analyst_sumbar):
    text = "\n".join([",".join(HEADER), "X-1,13.77,,,2024-10-14 09:30,asn-grup-percakapan,"
                      "Kerusuhan di kafe,Massa merusak baliho di café,bawaslu"])
    upload = SimpleUploadedFile("cp1252.csv", text.encode("cp1252", errors="replace"))
    message = _refusal(analyst_sumbar, upload)
    assert "not UTF-8" in message and "row 2" in message and "CSV UTF-8" in message


@pytest.mark.parametrize(("content", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a CSV nor an XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old Excel file"),
    (b"PK\x03\x04 this is not a workbook", "cannot be read"),
    (b"\xef\xbb\xbf", "empty"),
    (b"ref_eksternal,kode_wilayah\n", "Missing columns: waktu_kejadian"),
    (("\ufeff" + ",".join(HEADER) + "\n").encode(), "no rows below the column names"),
    ((",".join([*HEADER, "nama_pelapor"]) + "\n").encode(), "Unknown columns: nama_pelapor"),
    (",".join(HEADER).encode("utf-16"), "not UTF-8"),  # Excel's "Unicode text"
    (("|".join(HEADER) + "\n" + "|".join(row().values())).encode(),
     "not separated by commas or semicolons"),
])
def test_unusable_files_are_refused_with_a_clear_reason(analyst_sumbar, content, expected):
    assert expected in _refusal(analyst_sumbar, SimpleUploadedFile("f.csv", content))


def test_a_zip_that_is_not_a_workbook_is_refused(analyst_sumbar):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "halo")
    message = _refusal(analyst_sumbar, SimpleUploadedFile("f.xlsx", buffer.getvalue()))
    assert "cannot be read" in message


def test_header_names_tolerate_capitals_spaces_and_hints(analyst_sumbar):
    header = [f"{key.replace('_', ' ').title()} (isi)" for key in HEADER]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerow([row()[key] for key in HEADER])
    batch = transfer.incident_import_preview(
        by=analyst_sumbar, upload=SimpleUploadedFile("f.csv", buffer.getvalue().encode()))
    assert batch.errors == [] and len(batch.rows) == 1


def test_a_row_with_more_cells_than_the_header_is_reported(analyst_sumbar):
    text = ",".join(HEADER) + "\n" + ",".join(row().values()) + ",lebih\n"
    batch = transfer.incident_import_preview(
        by=analyst_sumbar, upload=SimpleUploadedFile("f.csv", text.encode()))
    assert errors_by_line(batch)[2][0][0] == ""
    assert "more cells than the header" in errors_by_line(batch)[2][0][1]


# --- Templates --------------------------------------------------------------------------

def test_the_csv_template_is_the_header_row():
    content = transfer.import_template_csv().decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(content))) == HEADER


def test_the_filled_xlsx_template_imports(analyst_sumbar):
    workbook = openpyxl.load_workbook(io.BytesIO(transfer.import_template_xlsx()))
    sheet, guide = workbook.worksheets
    assert [c.value for c in sheet[1]] == HEADER
    codes = {r[0] for r in guide.iter_rows(values_only=True) if r and r[0]}
    assert {"asn-grup-percakapan", "uang-tunai", "bawaslu", "media_sosial", "asn"} <= codes
    assert "politik-uang" not in codes  # a category is not a valid code
    sheet.append([_cell(key, value) for key, value in row().items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = transfer.incident_import_preview(
        by=analyst_sumbar, upload=SimpleUploadedFile("templat.xlsx", buffer.getvalue()))
    assert batch.errors == [] and len(batch.rows) == 1


# --- Export -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ('=HYPERLINK("http://x","klik")', '\'=HYPERLINK("http://x","klik")'),
    ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Aman", "Aman"), ("", ""), (15, 15),
])
def test_formula_text_is_neutralised(text, expected):
    assert transfer.neutralise(text) == expected


def test_export_records_follow_the_header_and_leave_out_the_informant(analyst_sumbar):
    incident = services.incident_create(by=analyst_sumbar, data=services.IncidentData(
        title="Grup WhatsApp 15 ASN", narrative="Ajakan memilih paslon.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu",
        informant="Pak Budi 0812-3456-7890", external_ref="BWS-9",
        actors=[services.ActorData("asn", 15), services.ActorData("kepala_desa", 2)],
    ))
    records = list(transfer.incident_export_records(Incident.objects.all()))
    assert len(records) == 1 and len(records[0]) == len(transfer.export_header())
    values = dict(zip(transfer.export_header(), records[0], strict=True))
    assert values["Reference"] == incident.reference
    assert values["Time of the event (region's time)"].isoformat() == "2024-10-14T09:30:00+07:00"
    assert values["Time zone"] == "WIB"
    assert values["Actors"] == "15 ASN; 2 Village head or staff"
    assert values["Stages"] == "Kampanye"
    assert "Pak Budi" not in repr(records)
