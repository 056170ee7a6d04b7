"""The CSV export formatted by PostgreSQL writes, row for row, what the Python export writes:
same rows in the same order (the caller's scoped queryset), same columns, labels in the
user's language, local times, neutralised formulas, quotes and line breaks kept."""

import csv
import datetime as dt
import io

import pytest
from django.utils import translation

from kewaspadaan.models import Indicator, Region
from laporan import export_sql, selectors, services, transfer
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def rows(chunks) -> list[list[str]]:
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def incidents(operator_pariaman, analyst_sumbar):
    reporter = UserFactory(username="op.mataram", role="operator", jurisdiction_code="52",
                           first_name="", last_name="")
    made = []
    cases = [
        (operator_pariaman, "13.77", "13.77.01", dt.timezone(dt.timedelta(hours=7)),
         '=HYPERLINK("http://x")', 'Ada "kutipan", koma,\ndan baris baru.', "-REF-1",
         [services.ActorData("asn", 15), services.ActorData("paslon", 2)], "biasa"),
        (operator_pariaman, "13.77", None, dt.timezone(dt.timedelta(hours=7)),
         "+62 812 dibagikan", "@mention di grup", None, [], "terbatas"),
        (reporter, "52.71", None, dt.timezone(dt.timedelta(hours=8)),
         "Intimidasi saksi", "Kekerasan verbal terhadap saksi TPS.", "NTB-7",
         [services.ActorData("simpatisan", 4)], "biasa"),
    ]
    for by, code, kecamatan, tz, title, narrative, ref, actors, classification in cases:
        made.append(services.incident_create(by=by, submit=True, data=services.IncidentData(
            title=title, narrative=narrative, region=Region.objects.get(code=code),
            kecamatan=Region.objects.get(code=kecamatan) if kecamatan else None,
            occurred_at=dt.datetime(2024, 11, 25, 22, 30, tzinfo=tz),
            indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu",
            severity=3, injured=1, external_ref=ref, actors=actors,
            classification=classification)))
    services.incident_verify(incident=made[0], by=analyst_sumbar, reliability="B",
                             credibility=2)
    return made


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_database_export_equals_the_python_export(incidents, national_user, language):
    queryset = selectors.incident_list(user=national_user).order_by("-occurred_at", "-id")
    with translation.override(language):
        header = transfer.export_header()
    expected = rows(transfer.incident_export_csv_python(queryset, language=language))
    got = rows(export_sql.incident_export_csv(queryset, language=language, header=header))
    assert len(expected) == 4  # the header and the three incidents
    assert got == expected
    flat = " ".join(" ".join(r) for r in got)
    assert "'=HYPERLINK" in flat and "'-REF-1" in flat  # formulas stay text


def test_the_export_keeps_the_callers_scope_and_order(incidents, operator_pariaman):
    queryset = selectors.incident_list(user=operator_pariaman).order_by("id")
    got = rows(transfer.incident_export_csv(queryset, language="id"))
    # Pariaman's operator: their own two (one terbatas, theirs), in the caller's order.
    assert [r[0] for r in got[1:]] == [i.reference for i in incidents[:2]]
    assert all("NTB-7" not in " ".join(r) for r in got)  # another province: never


def test_every_formula_trigger_is_neutralised_alike(operator_pariaman, national_user):
    for n, trigger in enumerate(transfer.FORMULA_TRIGGERS):
        services.incident_create(by=operator_pariaman, submit=True, data=services.IncidentData(
            title=f"{trigger}SUM(A{n})", narrative="Uraian.",
            region=Region.objects.get(code="13.77"),
            occurred_at=dt.datetime(2024, 11, 25, 10, n, tzinfo=dt.UTC),
            indicator=Indicator.objects.get(code="uang-tunai"), source_type="bawaslu"))
    queryset = selectors.incident_list(user=national_user).order_by("id")
    with translation.override("id"):
        header = transfer.export_header()
    expected = rows(transfer.incident_export_csv_python(queryset, language="id"))
    got = rows(export_sql.incident_export_csv(queryset, language="id", header=header))
    assert got == expected
    title = 21  # the Title column
    assert [r[title] for r in got[1:]] == [f"'{t}SUM(A{n})"
                                           for n, t in enumerate(transfer.FORMULA_TRIGGERS)]
