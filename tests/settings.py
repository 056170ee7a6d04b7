"""Test settings: the project's settings, fed a test environment.

Only defaults are set here; CI (``.ci/run``) passes ``DATABASE_URL`` and ``REDIS_URL`` for
PostgreSQL and Redis. Without them the suite runs on SQLite with tasks in-process, and the
tests that need a service skip with the reason.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-" + "k" * 60)
# A fixed test key for the encrypted fields (kewaspadaan.crypto); never used elsewhere.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdC1rZXktZm9yLWtld2FzcGFkYWFuLXRlc3RzISE=")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DEMO_MODE", "true")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("EMAIL_BACKEND", "locmem")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
_scratch = tempfile.mkdtemp(prefix="kw-test-")
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
os.environ.setdefault("STATIC_ROOT", os.path.join(_scratch, "static"))
os.environ.setdefault("MEDIA_ROOT", os.path.join(_scratch, "media"))
os.makedirs(os.environ["STATIC_ROOT"], exist_ok=True)
os.environ.setdefault("LOG_LEVEL", "WARNING")
# Tests drive tasks in-process unless a test starts a real worker (see tests/conftest.py).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from kewaspadaan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
OTP_REQUIRED_ROLES: list[str] = []  # tests of two-factor login turn it on (tests/conftest.py)
