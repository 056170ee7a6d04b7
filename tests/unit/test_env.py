"""Settings come from the environment, strictly: a bad value stops start-up, naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kewaspadaan import env

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DEBUG": "false",
    "DEMO_MODE": "false",
    "SECRET_KEY": "p" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "kewaspadaan.example.go.id",
    "DATABASE_URL": "postgres://kw@db.internal:5432/kewaspadaan",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "FIELD_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS1kZXBsb3ktY2g=",
}


def run_manage(*args, env_vars):
    clean = {k: v for k, v in os.environ.items()
             if k in ("PATH", "HOME", "LANG", "PYTHONPATH", "SYSTEMROOT")}
    clean.update(env_vars)
    clean["DJANGO_SETTINGS_MODULE"] = "kewaspadaan.settings"
    clean["KW_DOTENV"] = "0"  # the checkout's development .env must not fill the gaps
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL='mysql://x@y/z' must be a URL"),
        ("REDIS_URL", "redis://:notaport/0", "REDIS_URL"),
        ("SESSION_COOKIE_AGE", "eight hours", "SESSION_COOKIE_AGE='eight hours' is not a whole"),
        ("ALLOWED_HOSTS", "a.go.id,,b.go.id", "ALLOWED_HOSTS='a.go.id,,b.go.id' has an empty"),
        ("EMAIL_BACKEND", "pigeon", "EMAIL_BACKEND='pigeon' must be one of"),
    ],
)
def test_a_malformed_variable_stops_start_up_naming_it(variable, value, message):
    result = run_manage("check", env_vars={**PROD_ENV, variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", env_vars={k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", env_vars={**PROD_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_needs_a_database_url():
    result = run_manage("check", env_vars={k: v for k, v in PROD_ENV.items()
                                           if k != "DATABASE_URL"})
    assert "DATABASE_URL is required" in result.stderr


def test_production_settings_pass_the_deploy_check_with_no_warning():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_vars=PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_load_demo_data():
    result = run_manage("load_demo", env_vars=PROD_ENV)
    assert result.returncode != 0
    assert "DEMO_MODE" in result.stderr


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("YES", True), ("off", False), (" false ", False)]:
        monkeypatch.setenv("KW_FLAG", raw)
        assert env.env_bool("KW_FLAG", not expected) is expected
    monkeypatch.delenv("KW_FLAG")
    assert env.env_bool("KW_FLAG", True) is True


def test_env_int_enforces_its_minimum(monkeypatch):
    monkeypatch.setenv("KW_N", "-1")
    with pytest.raises(env.EnvError, match="KW_N=-1 must be at least 0"):
        env.env_int("KW_N", 5, minimum=0)
