"""Encrypt the informants already stored, then make the audit tables append-only.

1. Every informant (in incidents and in their history) still in clear text is encrypted
   with the first key of FIELD_ENCRYPTION_KEYS (kewaspadaan.crypto); reversing decrypts.
2. On PostgreSQL, a trigger refuses UPDATE and DELETE on the history tables of incidents,
   referrals and alerts and on the confidential access log, whoever the database user of
   the portal is. One change is let through: the retention job blanking the informant of
   an incident's history (UU PDP 27/2022), and nothing else in the same row. A trigger on
   the alerts table also records the changes made without ``save()`` (acknowledge and
   resolve use a single UPDATE) into their history. SQLite has no such triggers: skipped.
"""

from django.db import migrations

from kewaspadaan import crypto

ENCRYPTED = [("laporan_incident", "id"), ("laporan_historicalincident", "history_id")]


def _convert(schema_editor, convert, wanted) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, key in ENCRYPTED:
            cursor.execute(f"SELECT {key}, informant FROM {table} WHERE informant <> ''")
            rows = [(pk, value) for pk, value in cursor.fetchall()
                    if crypto.is_encrypted(value) != wanted]
            for pk, value in rows:
                cursor.execute(f"UPDATE {table} SET informant = %s WHERE {key} = %s",
                               [convert(value), pk])


def encrypt_informants(apps, schema_editor):
    _convert(schema_editor, crypto.encrypt, wanted=True)


def decrypt_informants(apps, schema_editor):
    _convert(schema_editor, crypto.decrypt, wanted=False)


FUNCTION = r"""
CREATE OR REPLACE FUNCTION kw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    col text;
BEGIN
    -- The arguments name columns that may only be blanked (retention of personal data).
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0 THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOREACH col IN ARRAY TG_ARGV LOOP
            IF coalesce(new_row ->> col, '') <> '' THEN
                old_row := NULL;  -- a new non-empty value: refused below
                EXIT;
            END IF;
            old_row := old_row - col;
            new_row := new_row - col;
        END LOOP;
        IF old_row IS NOT NULL AND old_row = new_row THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# (table, columns that may be blanked)
APPEND_ONLY = [
    ("laporan_historicalincident", ["informant"]),
    ("laporan_historicalreferral", []),
    ("laporan_historicalalert", []),
    ("laporan_accesslog", []),
]

ALERT_CHANGES = r"""
CREATE OR REPLACE FUNCTION kw_alert_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*) THEN
        INSERT INTO laporan_historicalalert (
            id, rule, condition_key, title, message, level, score_total, status, created_at,
            acknowledged_at, resolved_at, source_ref, election_id, region_id,
            acknowledged_by_id, resolved_by_id, history_date, history_change_reason,
            history_type, history_user_id)
        VALUES (
            NEW.id, NEW.rule, NEW.condition_key, NEW.title, NEW.message, NEW.level,
            NEW.score_total, NEW.status, NEW.created_at, NEW.acknowledged_at, NEW.resolved_at,
            NEW.source_ref, NEW.election_id, NEW.region_id, NEW.acknowledged_by_id,
            NEW.resolved_by_id, clock_timestamp(), NULL, '~',
            CASE WHEN NEW.resolved_by_id IS DISTINCT FROM OLD.resolved_by_id
                 THEN NEW.resolved_by_id ELSE NEW.acknowledged_by_id END);
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS kw_alert_history ON kewaspadaan_alert;
CREATE TRIGGER kw_alert_history AFTER UPDATE ON kewaspadaan_alert
    FOR EACH ROW EXECUTE FUNCTION kw_alert_history();
"""


def trigger_sql(table: str, columns: list[str]) -> str:
    arguments = ", ".join(f"'{c}'" for c in columns)
    return (f"DROP TRIGGER IF EXISTS kw_append_only ON {table};\n"
            f"CREATE TRIGGER kw_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION kw_append_only({arguments});")


def _run(schema_editor, sql: str) -> None:
    # A cursor without parameters: the SQL's own % signs are not placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _run(schema_editor, FUNCTION)
    for table, columns in APPEND_ONLY:
        _run(schema_editor, trigger_sql(table, columns))
    _run(schema_editor, ALERT_CHANGES)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS kw_alert_history ON kewaspadaan_alert;")
    schema_editor.execute("DROP FUNCTION IF EXISTS kw_alert_history();")
    for table, _columns in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS kw_append_only ON {table};")
    # forkopimda's history table uses the same function: it is dropped with its trigger
    # when forkopimda is migrated back first (its migration depends on this one).
    schema_editor.execute("DROP FUNCTION IF EXISTS kw_append_only();")


class Migration(migrations.Migration):

    dependencies = [
        ("laporan", "0004_confidential_data"),
        ("kewaspadaan", "0005_rescore_request_claim"),
    ]

    operations = [
        migrations.RunPython(encrypt_informants, decrypt_informants, elidable=False),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
