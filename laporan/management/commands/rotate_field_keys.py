"""Re-encrypt every protected value under the first key of FIELD_ENCRYPTION_KEYS.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old one after it),
run this command, then remove the old key. Safe to run again; values already under the
first key are re-encrypted once more, nothing else changes.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from kewaspadaan import crypto
from laporan.models import Incident

BATCH = 500


def protected() -> list[tuple[str, str, str]]:
    """(table, key column, encrypted column) of every encrypted value: the incidents'
    informant and its history."""
    history = Incident.history.model
    return [(Incident._meta.db_table, Incident._meta.pk.column, "informant"),
            (history._meta.db_table, history._meta.pk.column, "informant")]


class Command(BaseCommand):
    help = "Re-encrypt the informants (and their history) under the first key."

    def handle(self, *args, **options):
        total = 0
        for table, key, column in protected():
            last = None
            while True:
                with transaction.atomic(), connection.cursor() as cursor:
                    after = "" if last is None else f"AND {key} > %s"
                    cursor.execute(
                        f"SELECT {key}, {column} FROM {table} WHERE {column} <> '' {after} "  # noqa: S608
                        f"ORDER BY {key} LIMIT {BATCH}", [] if last is None else [last])
                    rows = cursor.fetchall()
                    cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {key} = %s",  # noqa: S608
                                       [(crypto.rotate(value), pk) for pk, value in rows])
                if not rows:
                    break
                last = rows[-1][0]
                total += len(rows)
        self.stdout.write(f"{total} values re-encrypted under the first key.")
