"""Encryption at rest of protected fields (the informant's identity).

Authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256, a random IV per value) with
the keys of ``settings.FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts,
so a key is rotated by putting the new one first, running ``manage.py rotate_field_keys``
and then dropping the old one.

A stored value is ``fernet:`` followed by the token; the empty string stays empty (so
"has an informant" can still be asked of the database). Because every encryption of the
same text differs, the database cannot search, sort or compare an encrypted column: the
field refuses every lookup but ``isnull`` and ``exact`` with the empty string.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS))


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt(text: str) -> str:
    if not text:
        return text
    return PREFIX + cipher().encrypt(text.encode("utf-8")).decode("ascii")


class UndecryptableValue(ImproperlyConfigured):
    """A stored value none of the configured keys opens (a key was dropped too early)."""


def decrypt(stored: str) -> str:
    if not stored:
        return stored
    if not stored.startswith(PREFIX):
        raise UndecryptableValue("A protected column holds a value that is not encrypted.")
    try:
        return cipher().decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise UndecryptableValue(
            "A protected value cannot be decrypted with FIELD_ENCRYPTION_KEYS: keep the old "
            "key in the list until rotate_field_keys has run."
        ) from exc


def rotate(stored: str) -> str:
    """The value re-encrypted under the first key (unchanged when empty)."""
    if not stored:
        return stored
    decrypt(stored)  # the same clear error as a read when no key opens it
    return PREFIX + cipher().rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted. Reads give the clear text; no lookup can search it."""

    description = "Text encrypted at rest"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_lookup(self, lookup_name):
        lookup = super().get_lookup(lookup_name)
        if lookup_name == "isnull":
            return lookup
        if lookup_name == "exact":
            return _EmptyOnlyExact
        raise FieldError(
            f"{self.name} is encrypted at rest: the database cannot search it "
            f"(lookup {lookup_name!r})."
        )


class _EmptyOnlyExact(Exact):
    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError("An encrypted field can only be compared with the empty string.")
        return super().get_prep_lookup()


__all__ = ["EncryptedTextField", "decrypt", "encrypt", "is_encrypted", "rotate"]
