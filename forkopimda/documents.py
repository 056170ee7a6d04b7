"""The official recommendation document of a meeting, as PDF (fonts embedded) and DOCX.

The PDF is typeset by ReportLab with Source Serif Pro, a TrueType font installed from PyPI
with the other dependencies (package ``font-source-serif-pro``). Its files are found from the
installed package, never through the system's fontconfig, and embedded (subset) in the PDF,
so the document looks the same on every machine. ReportLab runs in invariant mode: the same
meeting gives the same bytes.

User text is never read as markup: it is escaped before ReportLab's paragraph parser sees
it, and python-docx writes it as plain runs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import font_source_serif_pro
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forkopimda import layout, selectors
from forkopimda.choices import RecommendationStatus
from forkopimda.models import Meeting
from kewaspadaan.choices import TIMEZONE_IANA

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT_DIR = Path(font_source_serif_pro.font_directory)
FONT_FILES = {
    "KwSerif": "SourceSerifPro-Regular.ttf",
    "KwSerif-Bold": "SourceSerifPro-Bold.ttf",
    "KwSerif-Italic": "SourceSerifPro-It.ttf",
    "KwSerif-BoldItalic": "SourceSerifPro-BoldIt.ttf",
}
# The office edits the DOCX in its own word processor, which has Times New Roman.
DOCX_FONT = "Times New Roman"


def _register_fonts() -> None:
    if "KwSerif" in pdfmetrics.getRegisteredFontNames():
        return
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily("KwSerif", normal="KwSerif", bold="KwSerif-Bold",
                                  italic="KwSerif-Italic", boldItalic="KwSerif-BoldItalic")


# --- From the database to the document's data ---------------------------------------------

def meeting_document(*, meeting: Meeting) -> layout.OfficialDocument:
    """The document of a meeting the caller may already see (the view scoped it)."""
    zone = meeting.region.timezone
    held_at = meeting.held_at.astimezone(ZoneInfo(TIMEZONE_IANA[zone]))
    recs = selectors.meeting_document_recommendations(meeting=meeting)
    items = []
    for rec in recs:
        addressed = [i.name for i in rec.institutions.all()]
        if rec.addressees:
            addressed.append(rec.addressees)
        items.append(layout.RecommendationItem(
            text=rec.text, number=rec.number or "", addressees=", ".join(addressed),
            deadline=layout.tanggal(rec.deadline) if rec.deadline else "",
        ))
    return layout.build(
        forum_name=meeting.forum.name, kind=meeting.kind, title=meeting.title,
        leader=meeting.leader, held_at=held_at, zone_name=zone, place=meeting.place,
        topic=meeting.topic, background=meeting.background,
        participants=[p.office for p in meeting.participants.order_by("order", "id")],
        recommendations=items, document_place=meeting.document_place,
        document_date=held_at.date(), signatory_title=meeting.signatory_title,
        signatory_name=meeting.signatory_name, signatory_id=meeting.signatory_id,
        # Approved but not yet issued: the forum agreed, but there is no number to sign yet.
        draft=any(r.status == RecommendationStatus.APPROVED for r in recs) or not recs,
    )


def filename(*, meeting: Meeting, extension: str) -> str:
    day = meeting.held_at.astimezone(ZoneInfo(TIMEZONE_IANA[meeting.region.timezone]))
    slug = re.sub(r"[^A-Za-z0-9]+", "-", meeting.forum.name).strip("-")[:60]
    return f"rekomendasi-{slug}-{day:%Y-%m-%d}.{extension}"


# --- PDF ----------------------------------------------------------------------------------

def _p(text: str) -> str:
    """Plain text as ReportLab paragraph markup: escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName="KwSerif", fontSize=11.5, leading=16,
                          alignment=TA_JUSTIFY)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName="KwSerif-Bold", fontSize=13,
                                leading=17, alignment=TA_CENTER),
        "draft": ParagraphStyle("draft", parent=base, fontName="KwSerif-Bold",
                                alignment=TA_CENTER, fontSize=10),
        "label": ParagraphStyle("label", parent=base, fontName="KwSerif-Bold",
                                alignment=TA_LEFT),
        "cell": ParagraphStyle("cell", parent=base, alignment=TA_LEFT),
        # A heading never ends a page: it keeps with what follows it.
        "section": ParagraphStyle("section", parent=base, fontName="KwSerif-Bold",
                                  spaceBefore=10, spaceAfter=4, alignment=TA_LEFT,
                                  keepWithNext=1),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=1 * cm, spaceAfter=4),
        "item": ParagraphStyle("item", parent=base, spaceAfter=4),
        "note": ParagraphStyle("note", parent=base, fontName="KwSerif-Italic", fontSize=10,
                               leading=13, alignment=TA_LEFT, spaceAfter=6),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_CENTER),
        "sign_name": ParagraphStyle("sign_name", parent=base, fontName="KwSerif-Bold",
                                    alignment=TA_CENTER),
    }


def _numbered(items: list, style_name: str = "item") -> ListFlowable:
    return ListFlowable(items, bulletType="1", bulletFormat="%s.", leftIndent=0.9 * cm,
                        bulletFontName="KwSerif", bulletFontSize=11.5)


def render_pdf(document: layout.OfficialDocument) -> bytes:
    """The document on A4, fonts embedded, in invariant mode (same input, same bytes)."""
    _register_fonts()
    s = _styles()
    story: list = []
    if document.draft:
        story.append(Paragraph("DRAF – BELUM DITERBITKAN", s["draft"]))
        story.append(Spacer(1, 4))
    for line in document.title_lines:
        story.append(Paragraph(_p(line), s["title"]))
    story.append(Spacer(1, 14))
    block = Table(
        [[Paragraph(label, s["label"]), Paragraph(":", s["cell"]),
          Paragraph(_p(value), s["cell"])] for label, value in document.block],
        colWidths=[3.2 * cm, 0.5 * cm, None],
    )
    block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), "KwSerif"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                               ("TOPPADDING", (0, 0), (-1, -1), 0)]))
    story += [block, Spacer(1, 8)]

    intro, materi, peserta, rekomendasi = layout.SECTIONS
    story.append(Paragraph(intro, s["section"]))
    story += [Paragraph(_p(text), s["body"]) for text in document.introduction]
    story.append(Paragraph(materi, s["section"]))
    story += [Paragraph(_p(text), s["body"]) for text in document.materials]
    story.append(Paragraph(peserta, s["section"]))
    story.append(_numbered([ListItem(Paragraph(_p(office), s["item"]))
                            for office in document.participants]))
    story.append(Paragraph(rekomendasi, s["section"]))
    items = []
    for rec in document.recommendations:
        parts = [Paragraph(_p(rec.text), s["item"])]
        detail = _detail(rec)
        if detail:
            parts.append(Paragraph(_p(detail), s["note"]))
        items.append(ListItem(parts))
    if items:
        story.append(_numbered(items))
    else:
        story.append(Paragraph("–", s["item"]))

    signature = [Paragraph(_p(document.place_date), s["sign"]),
                 Paragraph(_p(document.signatory_title or "..........................."),
                           s["sign"]),
                 Spacer(1, 2.2 * cm),
                 Paragraph(f"<u>{_p(document.signatory_name or '...........................')}"
                           f"</u>", s["sign_name"])]
    if document.signatory_id:
        signature.append(Paragraph(_p(f"NIP. {document.signatory_id}"), s["sign"]))
    sign_table = Table([["", signature]], colWidths=[None, 8.5 * cm])
    sign_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                    ("FONTNAME", (0, 0), (-1, -1), "KwSerif")]))
    story += [Spacer(1, 16), KeepTogether(sign_table)]

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2 * cm, topMargin=2 * cm,
        bottomMargin=2 * cm, title=document.metadata.get("title", "Rekomendasi"),
        subject=document.metadata.get("subject", ""), author="Kewaspadaan",
        creator="Kewaspadaan", lang="id-ID", invariant=1, initialFontName="KwSerif",
    )
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _detail(rec: layout.RecommendationItem) -> str:
    parts = []
    if rec.addressees:
        parts.append(f"Ditujukan kepada: {rec.addressees}")
    if rec.deadline:
        parts.append(f"batas waktu: {rec.deadline}")
    if rec.number:
        parts.append(f"nomor: {rec.number}")
    return "; ".join(parts)


def _page_number(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("KwSerif", 9)
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Halaman {doc.page}")
    canvas.restoreState()


# --- DOCX ---------------------------------------------------------------------------------

def render_docx(document: layout.OfficialDocument) -> bytes:
    """The same document as an editable Word file on A4."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = doc.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(12)
    doc.core_properties.title = document.metadata.get("title", "Rekomendasi")
    doc.core_properties.subject = document.metadata.get("subject", "")
    doc.core_properties.author = "Kewaspadaan"
    doc.core_properties.language = "id-ID"

    def para(text: str = "", *, bold=False, italic=False, align=None, indent=None,
             space_after=4, underline=False):
        paragraph = doc.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic, run.underline = bold, italic, underline
        if align is not None:
            paragraph.alignment = align
        if indent is not None:
            paragraph.paragraph_format.first_line_indent = indent
        paragraph.paragraph_format.space_after = Pt(space_after)
        return paragraph

    if document.draft:
        para("DRAF – BELUM DITERBITKAN", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in document.title_lines:
        para(line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    para()
    table = doc.add_table(rows=0, cols=3)
    for label, value in document.block:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
        cells[0].paragraphs[0].runs[0].bold = True
    for row in table.rows:
        row.cells[0].width, row.cells[1].width, row.cells[2].width = Cm(3.2), Cm(0.6), Cm(12.7)
    para()

    intro, materi, peserta, rekomendasi = layout.SECTIONS
    para(intro, bold=True)
    for text in document.introduction:
        para(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=Cm(1))
    para(materi, bold=True)
    for text in document.materials:
        para(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=Cm(1))
    para(peserta, bold=True)
    for index, office in enumerate(document.participants, start=1):
        para(f"{index}. {office}")
    para(rekomendasi, bold=True)
    for index, rec in enumerate(document.recommendations, start=1):
        para(f"{index}. {rec.text}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        detail = _detail(rec)
        if detail:
            para(detail, italic=True)
    if not document.recommendations:
        para("–")

    para()
    right = WD_ALIGN_PARAGRAPH.CENTER
    sign = doc.add_table(rows=1, cols=2)
    cell = sign.rows[0].cells[1]
    cell.text = document.place_date
    cell.paragraphs[0].alignment = right
    for text, bold, underline, gap in (
        (document.signatory_title or "...........................", False, False, 0),
        ("", False, False, 48),
        (document.signatory_name or "...........................", True, True, 0),
        (f"NIP. {document.signatory_id}" if document.signatory_id else "", False, False, 0),
    ):
        if not text and not gap:
            continue
        paragraph = cell.add_paragraph()
        paragraph.alignment = right
        if gap:
            paragraph.paragraph_format.space_before = Pt(gap)
        if text:
            run = paragraph.add_run(text)
            run.bold, run.underline = bold, underline

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --- Situation report (laporan situasi) ---------------------------------------------------

LEVEL_WORDS = {"rendah": "Rendah", "sedang": "Sedang", "tinggi": "Tinggi", "": "–"}
SEVERITY_WORDS = {1: "Rendah", 2: "Sedang", 3: "Tinggi", 4: "Kritis"}


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def _change(value: float | None) -> str:
    if value is None:
        return "–"
    return ("+" if value > 0 else "") + _number(value)


def _bar_chart(rows) -> Drawing:
    """Scores now and at the start of the period, per region."""
    drawing = Drawing(16 * cm, 6.5 * cm, initialFontName="KwSerif")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 1.2 * cm, 1.6 * cm, 14.5 * cm, 4.4 * cm
    chart.data = [[r.previous_total or 0 for r in rows], [r.total or 0 for r in rows]]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = "KwSerif"
    chart.categoryAxis.categoryNames = [r.code for r in rows]
    chart.categoryAxis.labels.fontName = "KwSerif"
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 45 if len(rows) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 8 else "n"
    chart.bars[0].fillColor = colors.HexColor("#b8c4d6")
    chart.bars[1].fillColor = colors.HexColor("#1f4e8c")
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 1.2 * cm, 0.3 * cm
    legend.fontName, legend.fontSize = "KwSerif", 8
    legend.alignment, legend.columnMaximum = "right", 1
    legend.colorNamePairs = [(colors.HexColor("#b8c4d6"), "awal periode"),
                             (colors.HexColor("#1f4e8c"), "akhir periode")]
    drawing.add(legend)
    return drawing


def _trend_chart(trend) -> Drawing:
    drawing = Drawing(16 * cm, 5 * cm, initialFontName="KwSerif")
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 1.2 * cm, 0.8 * cm, 14.5 * cm, 3.8 * cm
    first = trend[0][0]
    plot.data = [[((day - first).days, total) for day, total in trend]]
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax, plot.yValueAxis.valueStep = 0, 100, 20
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max((trend[-1][0] - first).days, 1)
    plot.xValueAxis.labelTextFormat = lambda v: f"{(first + dt.timedelta(days=int(v))):%d/%m}"
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = "KwSerif", 7
    plot.lines[0].strokeColor = colors.HexColor("#1f4e8c")
    plot.lines[0].strokeWidth = 1.5
    drawing.add(plot)
    return drawing


def _grid(rows, widths, s, *, header=True) -> Table:
    table = Table([[Paragraph(_p(str(cell)), s["cell"]) for cell in row] for row in rows],
                  colWidths=widths, repeatRows=1 if header else 0)
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), "KwSerif"),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")))
    table.setStyle(TableStyle(style))
    return table


def render_situation_pdf(situation) -> bytes:
    """The periodic situation report of a region on A4, fonts embedded, charts drawn as
    vectors."""
    _register_fonts()
    s = _styles()
    s["cell"] = ParagraphStyle("small", parent=s["cell"], fontSize=9, leading=11.5)
    region = situation.region
    zone = ZoneInfo(TIMEZONE_IANA[region.timezone])
    story: list = [
        Paragraph("LAPORAN SITUASI KEWASPADAAN DINI", s["title"]),
        Paragraph(_p(layout.clean(region.name).upper()), s["title"]),
        Paragraph(_p(f"Periode {layout.tanggal(situation.start)} – "
                     f"{layout.tanggal(situation.end)}"), s["sign"]),
        Spacer(1, 10),
        Paragraph("1. TINGKAT RISIKO DAN PERUBAHANNYA", s["section"]),
    ]
    rows = [["Kode", "Wilayah", "Skor awal", "Skor akhir", "Perubahan", "Tingkat"]]
    for row in situation.scores:
        level = LEVEL_WORDS.get(row.level, row.level)
        if row.previous_level and row.level and row.previous_level != row.level:
            level = f"{LEVEL_WORDS.get(row.previous_level, '')} → {level}"
        rows.append([row.code, row.name, _number(row.previous_total), _number(row.total),
                     _change(row.change), level])
    story.append(_grid(rows, [1.6 * cm, 5.4 * cm, 2 * cm, 2 * cm, 2.1 * cm, 3.4 * cm], s))
    if any(r.total is not None for r in situation.scores):
        story += [Spacer(1, 6), _bar_chart(situation.scores)]
    else:
        story.append(Paragraph("Belum ada skor risiko untuk periode ini.", s["item"]))
    story.append(Paragraph("2. TREN SKOR 30 HARI", s["section"]))
    if len(situation.trend) >= 2:
        story.append(_trend_chart(situation.trend))
    else:
        story.append(Paragraph("Data skor belum cukup untuk tren.", s["item"]))

    story.append(Paragraph("3. KEJADIAN MENONJOL", s["section"]))
    if situation.incidents:
        rows = [["Ref.", "Waktu", "Wilayah", "Kejadian", "Tingkat"]]
        for incident in situation.incidents:
            when = incident.occurred_at.astimezone(zone)
            rows.append([incident.reference, f"{when:%d-%m-%Y %H.%M}", incident.region.name,
                         incident.title, SEVERITY_WORDS.get(incident.severity, "")])
        story.append(_grid(rows, [2.1 * cm, 2.6 * cm, 3.3 * cm, 6.6 * cm, 1.9 * cm], s))
    else:
        story.append(Paragraph("Tidak ada kejadian terverifikasi dalam periode ini.",
                               s["item"]))

    story.append(Paragraph(f"4. PERINGATAN TERBUKA ({situation.alert_count})", s["section"]))
    if situation.alerts:
        rows = [["Tanggal", "Wilayah", "Peringatan"]]
        rows += [[f"{a.created_at.astimezone(zone):%d-%m-%Y}", a.region.name, a.title]
                 for a in situation.alerts]
        story.append(_grid(rows, [2.6 * cm, 3.8 * cm, 10.1 * cm], s))
    else:
        story.append(Paragraph("Tidak ada peringatan terbuka.", s["item"]))

    story.append(Paragraph(f"5. REKOMENDASI TERBUKA ({len(situation.recommendations)})",
                           s["section"]))
    if situation.recommendations:
        rows = [["Nomor", "Rekomendasi", "Ditujukan kepada", "Batas waktu"]]
        for rec in situation.recommendations:
            deadline = layout.tanggal(rec.deadline) if rec.deadline else "–"
            if rec.pk in situation.overdue_ids:
                deadline += " (lewat)"
            addressed = ", ".join(i.name for i in rec.institutions.all()) or rec.addressees
            rows.append([rec.number or "", rec.title, addressed, deadline])
        story.append(_grid(rows, [3.2 * cm, 6.4 * cm, 4 * cm, 2.9 * cm], s))
    else:
        story.append(Paragraph("Tidak ada rekomendasi terbuka.", s["item"]))

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=2.5 * cm, rightMargin=2 * cm, topMargin=2 * cm,
        bottomMargin=2 * cm, title=f"Laporan Situasi {region.name}", author="Kewaspadaan",
        creator="Kewaspadaan", lang="id-ID", invariant=1, initialFontName="KwSerif",
    )
    pdf.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def situation_filename(situation) -> str:
    return f"laporan-situasi-{situation.region.code}-{situation.end:%Y-%m-%d}.pdf"
