"""The append-only trigger lets one more change through on the columns it names (the
informant in an incident's history): re-encryption under a new key by
``manage.py rotate_field_keys``, an encrypted value replaced by an encrypted value. Text in
the clear is still refused, as is every change to any other column."""

from importlib import import_module

from django.db import migrations

previous = import_module("laporan.migrations.0005_encrypt_informants_append_only_history")

FUNCTION = r"""
CREATE OR REPLACE FUNCTION kw_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    col text;
BEGIN
    -- The arguments name columns that may only be blanked (retention of personal data)
    -- or re-encrypted (key rotation).
    IF TG_OP = 'UPDATE' AND TG_NARGS > 0 THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOREACH col IN ARRAY TG_ARGV LOOP
            IF coalesce(new_row ->> col, '') <> ''
               AND NOT (coalesce(old_row ->> col, '') LIKE 'fernet:%'
                        AND (new_row ->> col) LIKE 'fernet:%') THEN
                old_row := NULL;  -- refused below
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


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous._run(schema_editor, FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous._run(schema_editor, previous.FUNCTION)


class Migration(migrations.Migration):

    dependencies = [("laporan", "0005_encrypt_informants_append_only_history")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
