"""The incident CSV export formatted by PostgreSQL (``COPY ... TO STDOUT``), for exports of
any size in about the time of a bare COPY and in flat memory.

The rows are exactly the scoped queryset the view built (the one jurisdiction and
classification rule), in its order; the columns, labels (in the user's language), local
times and formula neutralisation are those of ``transfer.incident_export_records``, written
as SQL. A test holds the two exports equal, row for row (``tests/services``). The file is
written by COPY into a spooled temporary file (memory up to 8 MB, disk beyond), then read
back in 64 KB pieces for the streaming response.
"""

# SQL here is built from table and column names and the choices' labels (quoted as
# literals), never from user input; the queryset's own SQL keeps its parameters.
# ruff: noqa: S608

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet
from django.utils import translation

from kewaspadaan.choices import TIMEZONE_IANA, Athg, Classification
from kewaspadaan.models import Region, Stage
from laporan.choices import ActorType, Severity, SourceType, Status
from laporan.models import Incident, IncidentActor

OFFSETS = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
CHUNK = 64 * 1024


def available() -> bool:
    return connection.vendor == "postgresql"


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _label(column: str, choices) -> str:
    whens = " ".join(f"WHEN {_literal(value)} THEN {_literal(label)}"
                     for value, label in choices.choices)
    return f"(CASE {column}::text {whens} ELSE {column}::text END)"


def _neutral(expression: str) -> str:
    """``transfer.neutralise``, on its own triggers: text a spreadsheet would run as a
    formula gets a leading apostrophe."""
    from laporan.transfer import FORMULA_TRIGGERS  # transfer imports this module

    triggers = ", ".join(_literal(t) for t in FORMULA_TRIGGERS)
    return (f"(CASE WHEN left({expression}, 1) IN ({triggers}) "
            f"THEN '''' || {expression} ELSE {expression} END)")


def copy_sql(queryset: QuerySet[Incident]) -> tuple[str, list]:
    """The SELECT that COPY runs, and its parameters (the queryset's)."""
    ids_sql, params = queryset.values("id").query.sql_with_params()
    incident, region = Incident._meta.db_table, Region._meta.db_table
    stages_m2m = Incident.stages.through._meta.db_table
    stage, actor = Stage._meta.db_table, IncidentActor._meta.db_table
    user = Incident._meta.get_field("created_by").related_model._meta.db_table
    indicator = Incident._meta.get_field("indicator").related_model._meta.db_table
    zone = " ".join(f"WHEN {_literal(tz)} THEN {_literal(iana)}"
                    for tz, iana in TIMEZONE_IANA.items())
    offset = " ".join(f"WHEN {_literal(tz)} THEN {_literal(o)}" for tz, o in OFFSETS.items())
    from laporan.transfer import short_label  # transfer imports this module

    actor_labels = " ".join(f"WHEN {_literal(v)} THEN {_literal(short_label(label))}"
                            for v, label in ActorType.choices)
    columns = [
        "'LAP-' || lpad(i.id::text, 6, '0')",
        _neutral("coalesce(i.external_ref, '')"),
        f"to_char(i.occurred_at AT TIME ZONE (CASE r.timezone {zone} END), "
        "'YYYY-MM-DD\"T\"HH24:MI:SS') || (CASE r.timezone " + offset + " END)",
        "r.timezone", "r.code", _neutral("r.name"),
        _neutral("coalesce(k.name, '')"), _neutral("coalesce(d.name, '')"),
        _neutral("ind.code"), _neutral("ind.name"), _neutral("coalesce(par.name, '')"),
        _neutral(_label("i.athg", Athg)),
        _neutral(f"coalesce((SELECT string_agg(s.name, ', ' ORDER BY s.\"order\") "
                 f"FROM {stages_m2m} m JOIN {stage} s ON s.id = m.stage_id "
                 "WHERE m.incident_id = i.id), '')"),
        _neutral(_label("i.status", Status)),
        _neutral(_label("i.source_type", SourceType)),
        _neutral("i.source_reliability"),
        "i.information_credibility",
        _neutral(_label("i.severity", Severity)),
        "i.injured", "i.killed",
        _neutral(_label("i.classification", Classification)),
        _neutral("i.title"), _neutral("i.narrative"),
        _neutral(f"coalesce((SELECT string_agg(a.count || ' ' || (CASE a.actor_type "
                 f"{actor_labels} ELSE a.actor_type END), '; ' ORDER BY a.id) "
                 f"FROM {actor} a WHERE a.incident_id = i.id), '')"),
        _neutral("coalesce(nullif(btrim(u.first_name || ' ' || u.last_name), ''), u.username)"),
    ]
    sql = (
        f"SELECT {', '.join(columns)} "
        # The queryset's rows in its order (row_number over its ordered output).
        f"FROM (SELECT q.id, row_number() OVER () AS n FROM ({ids_sql}) q) o "
        f"JOIN {incident} i ON i.id = o.id "
        f"JOIN {region} r ON r.code = i.region_id "
        f"LEFT JOIN {region} k ON k.code = i.kecamatan_id "
        f"LEFT JOIN {region} d ON d.code = i.desa_id "
        f"JOIN {indicator} ind ON ind.id = i.indicator_id "
        f"LEFT JOIN {indicator} par ON par.id = ind.parent_id "
        f"JOIN {user} u ON u.id = i.created_by_id "
        "ORDER BY o.n"
    )
    return sql, list(params)


def incident_export_csv(queryset: QuerySet[Incident], *, language: str,
                        header: list[str]) -> Iterator[bytes]:
    """The CSV in pieces: byte-order mark and header from Python, rows from COPY."""
    with translation.override(language):
        sql, params = copy_sql(queryset)
    head = io.StringIO()
    head.write("\ufeff")
    csv.writer(head, lineterminator="\n").writerow(header)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    try:
        with connection.cursor() as cursor:
            literal = cursor.mogrify(sql, params).decode()
            # NULL spelt apart, so an empty text is written as nothing, as csv.writer does.
            cursor.cursor.copy_expert(
                f"COPY ({literal}) TO STDOUT WITH (FORMAT csv, NULL '\\N')", spool)
        spool.seek(0)
        yield head.getvalue().encode("utf-8")
        while piece := spool.read(CHUNK):
            yield piece
    finally:
        spool.close()
