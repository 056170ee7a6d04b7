"""Strict parsing of settings from the environment.

A malformed value stops start-up with a message that names the variable, so a typo in a
deployment never silently becomes a default. (Healthchecks' ``envbool``, made strict.)
"""

import base64
import hashlib
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EnvError(ImproperlyConfigured):
    """A variable is present but malformed, or required and missing."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None:
        if required:
            raise EnvError(f"{name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(
        f"{name}={value!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise EnvError(f"{name}={value!r} has an empty item: separate values with single commas.")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise EnvError(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_url(name: str, default: str | None, *, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of ``schemes`` (for example ``redis`` or ``postgres``)."""
    value = _raw(name)
    if value is None:
        return default
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise EnvError(
            f"{name}={value!r} must be a URL starting with one of: "
            + ", ".join(f"{s}://" for s in schemes)
        )
    if parts.scheme not in {"sqlite", "memory"} and not parts.hostname:
        raise EnvError(f"{name}={value!r} has no host name.")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise EnvError(f"{name}={value!r} has a malformed port.") from None
    return value


def env_keys(name: str) -> list[str]:
    """Comma-separated Fernet keys (32 bytes, URL-safe base64, as ``Fernet.generate_key()``
    prints them). The first encrypts; all decrypt. A malformed key is named by its position,
    never printed."""
    keys = env_list(name, [])
    for position, key in enumerate(keys, start=1):
        try:
            raw = base64.urlsafe_b64decode(key.encode("ascii"))
        except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
            raw = b""
        if len(raw) != 32:
            raise EnvError(
                f"{name}: key {position} is not a Fernet key (44 characters of URL-safe "
                "base64). Generate one with: python -c 'from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())'"
            )
    if len(set(keys)) != len(keys):
        raise EnvError(f"{name} lists the same key twice.")
    return keys


def derived_fernet_key(secret: str) -> str:
    """A Fernet key derived from ``secret``: the development stand-in (DEBUG only)."""
    digest = hashlib.sha256(b"kewaspadaan field encryption\x00" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()
