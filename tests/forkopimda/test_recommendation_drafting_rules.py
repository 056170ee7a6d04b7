"""Pure rules without a database: the document's Indonesian dates and text cleaning, the
forum compositions, and which suggested drafts the figures support."""

import datetime as dt
from zoneinfo import ZoneInfo

from forkopimda import compositions, layout, suggestions


def test_dates_read_as_in_an_indonesian_letter():
    assert layout.hari_tanggal(dt.date(2024, 10, 30)) == "Rabu, 30 Oktober 2024"
    assert layout.tanggal(dt.date(2024, 2, 1)) == "1 Februari 2024"
    moment = dt.datetime(2024, 10, 30, 9, 5, tzinfo=ZoneInfo("Asia/Makassar"))
    assert layout.pukul(moment, "WITA") == "pukul 09.05 WITA"


def test_user_text_loses_control_characters_but_keeps_markup_as_characters():
    assert layout.clean("a\x00b\x1fc\r\nd <b>e</b>") == "abc\nd <b>e</b>"
    assert layout.paragraphs("satu\n\n\n dua\nbaris") == ["satu", "dua\nbaris"]


def test_the_document_has_its_block_and_sections_in_order():
    document = layout.build(
        forum_name="Forkopimda Provinsi Sumatera Barat", kind="fgd", title="FGD",
        leader="Kaban Kesbangpol", held_at=dt.datetime(2024, 10, 30, 9, 0),
        zone_name="WIB", place="Padang", topic="Netralitas ASN\nrincian", background="",
        participants=["Kapolda", " ", "Danrem"],
        recommendations=[layout.RecommendationItem(text="Perkuat pengawasan.")],
        document_place="", document_date=dt.date(2024, 10, 30), signatory_title="Kabid",
        signatory_name="",
    )
    assert document.title_lines == ["REKOMENDASI", "FORKOPIMDA PROVINSI SUMATERA BARAT",
                                     "FOCUS GROUP DISCUSSION (FGD) TANGGAL 30 OKTOBER 2024"]
    assert [label for label, _v in document.block] == ["PIMPINAN", "WAKTU", "MATERI"]
    assert document.topic == "Netralitas ASN"
    assert document.participants == ["Kapolda", "Danrem"]
    assert document.place_date.endswith("30 Oktober 2024")


def test_compositions_follow_facts_md():
    tim = compositions.seats(kind="tim_terpadu", level=2, region_name="Kota Pariaman")
    assert [s["office"] for s in tim][:4] == [
        "Bupati/Wali Kota Kota Pariaman", "Dandim Kota Pariaman", "Kapolres Kota Pariaman",
        "Kajari Kota Pariaman"]
    desk = compositions.seats(kind="desk_pilkada", level=1, region_name="Sumatera Barat")
    assert desk[0] == {"office": "Sekretaris Daerah Provinsi Sumatera Barat",
                       "position": "chair", "institution": "", "order": 1}
    assert [s["position"] for s in desk].count("vice_chair") == 3
    assert compositions.forum_name(kind="fkdm", level=1, region_name="Sumatera Barat") == \
        "FKDM Provinsi Sumatera Barat"


def _propose(**kwargs):
    defaults = {"region_name": "Kota Pariaman", "counts_now": {}, "counts_before": {},
                "category_names": {"asn": "Netralitas ASN", "politik-uang": "Politik uang"}}
    return suggestions.propose(**{**defaults, **kwargs})


def test_a_rise_proposes_a_draft_with_its_figures_strongest_first():
    found = _propose(counts_now={"asn": 5, "politik-uang": 3},
                     counts_before={"asn": 1, "politik-uang": 2})
    assert [s.key for s in found] == ["asn-neutrality", "money-politics"]
    assert found[0].institutions == ("bawaslu", "bkn", "inspektorat")
    assert "5 kejadian Netralitas ASN" in found[0].rationale and "naik dari 1" in \
        found[0].rationale
    assert "Kota Pariaman" in found[0].text


def test_no_draft_without_a_rise_or_below_the_minimum_or_when_skipped():
    assert _propose(counts_now={"asn": 3}, counts_before={"asn": 3}) == []
    assert _propose(counts_now={"asn": 1}, counts_before={}) == []
    assert _propose(counts_now={"asn": 4}, skip={"asn-neutrality"}) == []


def test_a_risk_level_rise_proposes_raising_the_alert_first():
    found = _propose(counts_now={"asn": 2}, score_now=(72.0, "tinggi"),
                     score_before=(40.0, "sedang"))
    assert [s.key for s in found] == ["risk-level-rise", "asn-neutrality"]
    assert "dari 40,0 (sedang) menjadi 72,0 (tinggi)" in found[0].rationale
    assert _propose(score_now=(40.0, "sedang"), score_before=(72.0, "tinggi")) == []
