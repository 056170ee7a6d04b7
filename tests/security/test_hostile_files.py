"""The hostile-file corpus (issue 7): every file is built here, on the fly, and sent through
the import page, the evidence upload (page and API) and the meeting attachments (page and
API). Each gets a clear Indonesian refusal and leaves nothing half-written: no import
batch, no incident, no evidence or attachment row, no file under MEDIA_ROOT.

Formulas are text: imported as typed, never run, and neutralised in every export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import struct
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from forkopimda.models import MeetingAttachment
from kewaspadaan.models import Indicator, Region
from laporan import services, transfer
from laporan.models import Evidence, ImportBatch, Incident
from tests.forkopimda.forum_helpers import make_forum, make_meeting

pytestmark = pytest.mark.django_db
WIB = dt.timezone(dt.timedelta(hours=7))
HEADER = ",".join(transfer.COLUMN_KEYS)


def row(**values) -> dict:
    base = {"ref_eksternal": "BWS-1", "kode_wilayah": "13.77",
            "waktu_kejadian": "2024-10-14 09:30", "kode_indikator": "asn-grup-percakapan",
            "judul": "Grup WhatsApp ASN", "uraian": "15 ASN berkampanye.",
            "jenis_sumber": "bawaslu"}
    base.update(values)
    return base


def csv_bytes(rows: list[dict], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=transfer.COLUMN_KEYS)
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(transfer.COLUMN_KEYS)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_bomb_xlsx(unpacked: int) -> bytes:
    """A valid-looking workbook whose sheet XML inflates to ``unpacked`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"<row>" + b"A" * (1024 * 1024 - 11) + b"</row>"
            for _ in range(unpacked // len(chunk) + 1):
                member.write(chunk)
    return out.getvalue()


def lying_zip_xlsx() -> bytes:
    """A real workbook whose directory claims each part is tiny: reading stops at the
    claimed size and fails its check instead of inflating."""
    data = bytearray(xlsx_bytes([list(row().get(k, "") for k in transfer.COLUMN_KEYS)]))
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        struct.pack_into("<I", data, position + 24, 10)  # uncompressed size
        position += 4
    position = 0
    while (position := data.find(b"PK\x03\x04", position)) != -1:
        struct.pack_into("<I", data, position + 22, 10)
        position += 4
    return bytes(data)


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 52 + b"\x80\x00\x00\x00" + b"\x00" * 64 + \
    b"PE\x00\x00" + b"\x00" * 100

# name -> (file name, content, the refusal (Indonesian) expected on the import page)
NOT_UTF8 = "Berkas bukan teks UTF-8"
DAMAGED = "Berkas Excel tidak dapat dibaca"
IMPORT_CORPUS = {
    "broken quoting": ("kutip.csv", (HEADER + '\nBWS-1,13.77,,,"2024-10-14 09:30,x\n'
                                     "BWS-2,13.77\n").encode(), "periksa tanda petiknya"),
    "quote inside a field": ("kutip2.csv", (HEADER + '\n"BWS-1"x,13.77\n').encode(),
                             "periksa tanda petiknya"),
    "latin-1": ("latin1.csv", csv_bytes([row(judul="Kerusuhan di Pariaman, café")],
                                        encoding="latin-1"), NOT_UTF8),
    "utf-16 without bom": ("utf16.csv", csv_bytes([row()], encoding="utf-16-le"),
                           "bukan CSV maupun XLSX"),
    "utf-16 with bom": ("utf16bom.csv", b"\xff\xfe" + csv_bytes([row()], encoding="utf-16-le"),
                        NOT_UTF8),
    "nul bytes": ("nul.csv", csv_bytes([row()]).replace(b"Grup", b"Gr\x00up"),
                  "bukan CSV maupun XLSX"),
    "random bytes as xlsx": ("acak.xlsx", b"PK\x03\x04" + os.urandom(4096), DAMAGED),
    "a zip that is not a workbook": ("arsip.xlsx", None, DAMAGED),
    "an old xls": ("lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
                   "berkas Excel versi lama (.xls)"),
    "zip bomb": ("bom.xlsx", None, "jauh lebih banyak data"),
    "lying zip directory": ("bohong.xlsx", None, DAMAGED),
    "an executable as csv": ("program.csv", ELF, "bukan CSV maupun XLSX"),
    "empty": ("kosong.csv", b"", "Berkas kosong"),
}


def _content(name: str, content: bytes | None) -> bytes:
    if content is not None:
        return content
    if name == "a zip that is not a workbook":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("catatan.txt", "bukan buku kerja")
        return out.getvalue()
    if name == "zip bomb":
        return zip_bomb_xlsx(transfer.MAX_UNZIPPED_BYTES + 1024 * 1024)
    if name == "lying zip directory":
        return lying_zip_xlsx()
    raise KeyError(name)


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def nothing_written(before_files: set[str]) -> None:
    assert not ImportBatch.objects.exists()
    assert not Incident.objects.exists()
    assert not Evidence.objects.exists()
    assert not MeetingAttachment.objects.exists()
    assert media_files() == before_files


@pytest.fixture
def importer(client, analyst_sumbar):
    client.force_login(analyst_sumbar)  # Indonesian: the portal's default language
    return client


# --- Import: each hostile file refused, nothing written -----------------------------------

@pytest.mark.parametrize("case", list(IMPORT_CORPUS))
def test_a_hostile_import_file_is_refused_in_indonesian_and_writes_nothing(importer, case):
    filename, content, refusal = IMPORT_CORPUS[case]
    before = media_files()
    response = importer.post(reverse("laporan:incident_import"), {
        "file": SimpleUploadedFile(filename, _content(case, content))})
    assert response.status_code == 200  # the form again, with the reason
    html = response.content.decode()
    assert refusal in html, (case, html[html.find("errorlist"):][:400])
    nothing_written(before)


def test_a_file_over_the_configured_size_is_refused_before_it_is_read(importer, settings):
    settings.IMPORT_MAX_BYTES = 64 * 1024
    before = media_files()
    huge = csv_bytes([row(ref_eksternal=f"R-{n}", uraian="x" * 200) for n in range(400)])
    assert len(huge) > 64 * 1024
    response = importer.post(reverse("laporan:incident_import"),
                             {"file": SimpleUploadedFile("besar.csv", huge)})
    assert "Ukuran berkas melebihi batas 64,0" in response.content.decode()
    nothing_written(before)


def test_the_default_limit_refuses_a_file_over_5_mb(importer):
    before = media_files()
    huge = SimpleUploadedFile("besar.csv", b"a" * (5 * 1024 * 1024 + 1))
    response = importer.post(reverse("laporan:incident_import"), {"file": huge})
    assert "Ukuran berkas melebihi 5 MB" in response.content.decode()
    nothing_written(before)


def test_too_many_rows_and_ragged_rows(importer):
    before = media_files()
    too_many = csv_bytes([row(ref_eksternal=f"R-{n}") for n in range(transfer.MAX_ROWS + 1)])
    response = importer.post(reverse("laporan:incident_import"),
                             {"file": SimpleUploadedFile("banyak.csv", too_many)})
    assert "lebih dari 2.000 baris" in response.content.decode()
    nothing_written(before)
    # Ragged rows (too few or too many cells) are rejected row by row, with the reason;
    # the good row goes on to the preview and nothing is created before confirmation.
    ragged = (csv_bytes([row()]) + b"BWS-2,13.77\n"
              + b"BWS-3,13.77,,," + b"x," * 40 + b"\n")
    response = importer.post(reverse("laporan:incident_import"),
                             {"file": SimpleUploadedFile("compang.csv", ragged)})
    batch = ImportBatch.objects.get()
    assert len(batch.rows) == 1 and len(batch.errors) == 2
    assert not Incident.objects.exists()


def test_a_zip_bomb_is_refused_without_being_inflated(analyst_sumbar):
    bomb = zip_bomb_xlsx(transfer.MAX_UNZIPPED_BYTES + 1024 * 1024)
    assert len(bomb) < transfer.max_bytes()  # it passes the size check: the guard must act
    upload = SimpleUploadedFile("bom.xlsx", bomb)
    with pytest.raises(Exception) as refused:
        transfer.incident_import_preview(by=analyst_sumbar, upload=upload)
    assert "jauh lebih banyak data" in str(refused.value)


# --- Formulas: text in, neutralised out ---------------------------------------------------

FORMULAS = ['=cmd|" /C calc"!A0', "+SUM(1,2)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\")",
            "\t=1+1", "\r=1+1"]


def test_formulas_in_a_csv_are_kept_as_text_and_neutralised_in_both_exports(importer):
    rows = [row(ref_eksternal=f"F-{n}", judul=formula, uraian=formula)
            for n, formula in enumerate(FORMULAS)]
    importer.post(reverse("laporan:incident_import"),
                  {"file": SimpleUploadedFile("rumus.csv", csv_bytes(rows))})
    batch = ImportBatch.objects.get()
    assert not batch.errors, batch.errors
    importer.post(reverse("laporan:incident_import_confirm", args=[batch.pk]))
    assert sorted(Incident.objects.values_list("title", flat=True)) == sorted(
        f.strip() for f in FORMULAS)
    exported = b"".join(importer.get(reverse("laporan:incident_export_csv"))
                        .streaming_content).decode("utf-8-sig")
    titles = [r[21] for r in list(csv.reader(io.StringIO(exported)))[1:]]
    assert titles and all(t.startswith("'") for t in titles), titles
    sheet = load_workbook(io.BytesIO(b"".join(
        importer.get(reverse("laporan:incident_export_xlsx")).streaming_content))).active
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r[21:23]]
    assert cells and all(c.data_type == "s" and str(c.value).startswith("'") for c in cells)


def test_a_formula_cell_in_an_xlsx_is_never_run_or_stored(importer):
    values = row(judul="=HYPERLINK(\"http://jahat.example\",\"klik\")")
    content = xlsx_bytes([[values.get(k, "") for k in transfer.COLUMN_KEYS]])
    importer.post(reverse("laporan:incident_import"),
                  {"file": SimpleUploadedFile("rumus.xlsx", content)})
    batch = ImportBatch.objects.get()
    # Only a cached value is read (there is none): the title is missing, the row refused.
    assert not batch.rows and batch.errors
    assert "HYPERLINK" not in str(batch.errors) + str(batch.rows)


# --- Evidence and meeting attachments -------------------------------------------------------

EXECUTABLES = {"elf.jpg": ELF, "pe.jpg": PE, "skrip.png": b"#!/bin/sh\nrm -rf /\n",
               "halaman.pdf": b"<html><script>alert(1)</script></html>"}
NOT_A_PHOTO = "Hanya foto (JPEG, PNG, WebP, GIF, HEIC) dan berkas PDF yang diterima"


@pytest.fixture
def incident(operator_pariaman):
    return services.incident_create(by=operator_pariaman, data=services.IncidentData(
        title="Grup WhatsApp ASN", narrative="15 ASN berkampanye.",
        region=Region.objects.get(code="13.77"),
        occurred_at=dt.datetime(2024, 10, 14, 9, 30, tzinfo=WIB),
        indicator=Indicator.objects.get(code="asn-grup-percakapan"), source_type="bawaslu"))


@pytest.mark.parametrize("name", list(EXECUTABLES))
def test_an_executable_named_as_a_photo_is_refused_as_evidence(client, api_client, incident,
                                                               operator_pariaman, name):
    before = media_files()
    client.force_login(operator_pariaman)
    response = client.post(reverse("laporan:evidence_create", args=[incident.pk]),
                           {"file": SimpleUploadedFile(name, EXECUTABLES[name],
                                                       content_type="image/jpeg")},
                           follow=True)
    assert NOT_A_PHOTO in response.content.decode()
    api_client.force_authenticate(operator_pariaman)
    api = api_client.post("/api/v1/evidence/", {
        "incident": incident.pk,
        "file": SimpleUploadedFile(name, EXECUTABLES[name], content_type="image/jpeg")},
        format="multipart", HTTP_ACCEPT_LANGUAGE="id")
    assert api.status_code == 400
    assert "whatever its name says" in str(api.json()) or NOT_A_PHOTO in str(api.json())
    assert not Evidence.objects.exists() and media_files() == before


@pytest.mark.parametrize("name", list(EXECUTABLES))
def test_an_executable_is_refused_as_a_meeting_attachment(client, api_client, analyst_sumbar,
                                                          name):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    before = media_files()
    client.force_login(analyst_sumbar)
    response = client.post(f"/meetings/{meeting.pk}/attachments/", {
        "file": SimpleUploadedFile(name, EXECUTABLES[name])}, follow=True)
    assert NOT_A_PHOTO in response.content.decode()
    api_client.force_authenticate(analyst_sumbar)
    api = api_client.post(f"/api/v1/meetings/{meeting.pk}/attachments/", {
        "file": SimpleUploadedFile(name, EXECUTABLES[name])}, format="multipart")
    assert api.status_code == 400
    assert not MeetingAttachment.objects.exists() and media_files() == before


def test_an_oversized_evidence_file_is_refused(client, incident, operator_pariaman, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    before = media_files()
    client.force_login(operator_pariaman)
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * 4096
    response = client.post(reverse("laporan:evidence_create", args=[incident.pk]),
                           {"file": SimpleUploadedFile("besar.png", big)}, follow=True)
    assert "Ukuran berkas melebihi batas 2,0" in response.content.decode()
    assert not Evidence.objects.exists() and media_files() == before


def test_a_failed_save_leaves_no_file_behind(incident, operator_pariaman, monkeypatch):
    """Fault: the row cannot be written after the file was stored; the file goes too."""
    before = media_files()

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(Evidence, "save", broken_save)
    with pytest.raises(IntegrityError):
        services.evidence_add(incident=incident, by=operator_pariaman,
                              upload=SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\n" + b"1"))
    assert media_files() == before


def test_a_failed_attachment_save_leaves_no_file_behind(analyst_sumbar, monkeypatch):
    from forkopimda import services as forum_services

    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    before = media_files()

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(MeetingAttachment, "save", broken_save)
    with pytest.raises(IntegrityError):
        forum_services.attachment_add(meeting=meeting, by=analyst_sumbar,
                                      upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    assert media_files() == before
