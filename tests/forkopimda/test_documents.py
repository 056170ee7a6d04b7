"""The official recommendation document, tried as a new user would: an analyst records a
provincial FGD with its participants and four recommendations through the API, issues them,
and downloads a PDF and a DOCX; the PDF's text shows the sections in order, the
participants and the signatory, with HTML typed by a user kept as text."""

import io

import pytest
from docx import Document
from pypdf import PdfReader

from forkopimda import documents, layout, services
from forkopimda.models import Meeting
from tests.forkopimda.forum_helpers import make_forum, make_meeting, make_recommendation

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>tebal</b>'
RECOMMENDATIONS = [
    ("Pengawasan netralitas ASN",
     "Memperkuat pengawasan netralitas ASN di Kota Pariaman, Padang Panjang, Kota Solok dan "
     "Kota Bukittinggi bersama Bawaslu dan BKN.", ["bkn", "bawaslu"]),
    ("Sanksi tegas", "Menjatuhkan sanksi tegas kepada ASN yang terbukti tidak netral.",
     ["bkn"]),
    ("Patroli politik uang", "Meningkatkan patroli pencegahan politik uang pada masa tenang "
     "di seluruh kabupaten/kota. " + HOSTILE, ["polri", "gakkumdu"]),
    ("Sosialisasi", "Menyelenggarakan sosialisasi pemilih cerdas bersama tokoh masyarakat.",
     ["kesbangpol"]),
]
PARTICIPANTS = ["Gubernur Sumatera Barat", "Kapolda Sumatera Barat",
                "Danrem 032/Wirabraja", "Kabinda Sumatera Barat",
                "Bawaslu Provinsi Sumatera Barat", "Kaban Kesbangpol Provinsi Sumatera Barat"]


@pytest.fixture
def fgd(api_client, analyst_sumbar, official_sumbar):
    forum = make_forum(by=analyst_sumbar, kind="forkopimda",
                       name="Forkopimda Provinsi Sumatera Barat")
    api_client.force_authenticate(analyst_sumbar)
    response = api_client.post("/api/v1/meetings/", {
        "forum": forum.pk, "kind": "fgd", "title": "FGD Kewaspadaan Dini Pilkada 2024",
        "leader": "Kaban Kesbangpol Provinsi Sumatera Barat",
        "held_at": "2024-10-30T09:00:00+07:00", "place": "Hotel Truntum, Padang",
        "topic": "Netralitas ASN dan politik uang menjelang pemungutan suara " + HOSTILE,
        "background": "Bawaslu Sumbar melaporkan grup WhatsApp 15 ASN Kota Pariaman.",
        "participants": [{"office": office} for office in PARTICIPANTS],
        "signatory_title": "Kepala Bidang Kewaspadaan Nasional dan Penanganan Konflik",
        "signatory_name": "Drs. Contoh Penandatangan", "signatory_id": "19700101 199003 1 001",
        "document_place": "Padang",
    }, format="json")
    assert response.status_code == 201, response.content
    meeting_id = response.json()["id"]
    for title, text, institutions in RECOMMENDATIONS:
        created = api_client.post("/api/v1/recommendations/", {
            "meeting": meeting_id, "title": title, "text": text,
            "institutions": institutions, "regions": ["13.77"], "deadline": "2024-11-26",
        }, format="json")
        assert created.status_code == 201, created.content
        base = f"/api/v1/recommendations/{created.json()['id']}/"
        assert api_client.post(base + "approve/").status_code == 200
        assert api_client.post(base + "issue/").status_code == 200
    api_client.force_authenticate(official_sumbar)
    return meeting_id


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _in_order(text: str, needles: list[str]) -> list[str]:
    """The needles not found in ``text`` each after the one before it (empty: all in order)."""
    flat, start, missing = " ".join(text.split()), 0, []
    for needle in needles:
        at = flat.find(" ".join(needle.split()), start)
        if at == -1:
            missing.append(needle)
        else:
            start = at + len(needle)
    return missing


def test_the_pdf_has_the_sections_in_order_with_participants_and_signatory(api_client, fgd):
    response = api_client.get(f"/api/v1/meetings/{fgd}/document/")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    order = ["REKOMENDASI", "FORKOPIMDA PROVINSI SUMATERA BARAT",
             "FOCUS GROUP DISCUSSION (FGD) TANGGAL 30 OKTOBER 2024",
             "PIMPINAN", "Kaban Kesbangpol Provinsi Sumatera Barat",
             "WAKTU", "Rabu, 30 Oktober 2024, pukul 09.00 WIB", "MATERI",
             "I. PENDAHULUAN", "grup WhatsApp 15 ASN", "bertempat di Hotel Truntum, Padang",
             "II. MATERI", "III. PESERTA RAPAT", *PARTICIPANTS, "IV. REKOMENDASI",
             *[text[:40] for _title, text, _i in RECOMMENDATIONS],
             "Padang, 30 Oktober 2024",
             "Kepala Bidang Kewaspadaan Nasional dan Penanganan Konflik",
             "Drs. Contoh Penandatangan", "NIP. 19700101 199003 1 001"]
    assert _in_order(text, order) == []
    assert "DRAF" not in text  # every recommendation is issued: ready to sign
    assert "001/REK/13/" in text and "004/REK/13/" in text


def test_html_and_script_typed_by_users_stay_text_in_the_pdf_and_the_docx(api_client, fgd):
    pdf_text = " ".join(_pdf_text(api_client.get(f"/api/v1/meetings/{fgd}/document/")
                                  .content).split())
    assert '<script>alert("x")</script> & <b>tebal</b>' in pdf_text
    docx = Document(io.BytesIO(api_client.get(
        f"/api/v1/meetings/{fgd}/document/?type=docx").content))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    assert '<script>alert("x")</script> & <b>tebal</b>' in docx_text


def test_the_pdf_embeds_every_font_and_is_a4(api_client, fgd):
    reader = PdfReader(io.BytesIO(api_client.get(f"/api/v1/meetings/{fgd}/document/").content))
    fonts = {}
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            595, 842)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts[str(font["/BaseFont"])] = descriptor is not None and (
                "/FontFile2" in descriptor.get_object())
    assert fonts and all(fonts.values()), fonts
    assert any("SourceSerifPro" in name for name in fonts)


def test_the_same_meeting_gives_the_same_pdf_bytes(api_client, fgd):
    first = api_client.get(f"/api/v1/meetings/{fgd}/document/").content
    second = api_client.get(f"/api/v1/meetings/{fgd}/document/").content
    assert first == second


def test_the_docx_has_the_same_layout_on_a4(api_client, fgd):
    docx = Document(io.BytesIO(api_client.get(
        f"/api/v1/meetings/{fgd}/document/?type=docx").content))
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = [p.text for p in docx.paragraphs]
    headings = [line for line in body if line in layout.SECTIONS]
    assert headings == list(layout.SECTIONS)
    assert body[0] == "REKOMENDASI"
    block = [[cell.text for cell in row.cells] for row in docx.tables[0].rows]
    assert [row[0] for row in block] == ["PIMPINAN", "WAKTU", "MATERI"]
    peserta = body.index("III. PESERTA RAPAT")
    assert body[peserta + 1: peserta + 1 + len(PARTICIPANTS)] == [
        f"{i}. {office}" for i, office in enumerate(PARTICIPANTS, start=1)]
    signature = docx.tables[1].rows[0].cells[1].text
    assert "Padang, 30 Oktober 2024" in signature and "Drs. Contoh Penandatangan" in signature


def test_a_document_with_approved_but_unissued_recommendations_is_marked_draft(
        analyst_sumbar):
    meeting = make_meeting(by=analyst_sumbar, forum=make_forum(by=analyst_sumbar))
    rec = make_recommendation(by=analyst_sumbar, meeting=meeting)
    services.recommendation_approve(recommendation=rec, by=analyst_sumbar)
    make_recommendation(by=analyst_sumbar, meeting=meeting, text="Draf yang belum disetujui")
    document = documents.meeting_document(meeting=Meeting.objects.get(pk=meeting.pk))
    assert document.draft
    assert [item.text for item in document.recommendations] == [rec.text]
    assert "DRAF" in _pdf_text(documents.render_pdf(document))
