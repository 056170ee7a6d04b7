"""The production files agree with each other and with the settings, without Docker.

docker-compose.yml, Dockerfile, .dockerignore and .env.example are parsed; .env.example is
also fed to the real settings (``manage.py check --deploy``) in a subprocess.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_SOURCES = [ROOT / "kewaspadaan" / "settings.py", ROOT / "kewaspadaan" / "env.py"]

WORKERS = {"worker-scoring", "worker-notifications", "worker-exports"}
SERVICES = {"postgres", "redis", "web", "beat", *WORKERS}
APP_SERVICES = {"web", "beat", "migrate", *WORKERS}

_READ = re.compile(
    r"""(?:\benv_[a-z]+|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)
_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def settings_variables() -> set[str]:
    """Every variable name the settings read: env_*("NAME", ...) and os.environ reads."""
    names: set[str] = set()
    for path in SETTINGS_SOURCES:
        for match in _READ.finditer(path.read_text()):
            names.add(match.group(1) or match.group(2))
    return names


def env_example() -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        assert match, f".env.example line {number} is not NAME=value: {line!r}"
        name, value = match.groups()
        assert name not in values, f".env.example sets {name} twice"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name] = value
    return values


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip(
        "yaml", reason="PyYAML is not installed, so docker-compose.yml cannot be parsed"
    )
    return yaml.safe_load(COMPOSE.read_text())


def _command(service: dict) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else list(command)


def _env_files(service: dict) -> list[str]:
    env_file = service.get("env_file", [])
    entries = [env_file] if isinstance(env_file, str | dict) else list(env_file)
    return [e["path"] if isinstance(e, dict) else e for e in entries]


# --- docker-compose.yml -----------------------------------------------------------------

def test_compose_has_the_services_with_healthchecks(compose):
    services = compose["services"]
    assert SERVICES <= set(services), f"missing services: {SERVICES - set(services)}"
    assert services["postgres"]["image"] == "postgres:17"
    assert services["redis"]["image"] == "redis:7"
    for name in ("postgres", "redis", "web", *WORKERS):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert ":8000/" in " ".join(services["web"]["healthcheck"]["test"])
    assert any(str(p).endswith(":8000") for p in services["web"].get("ports", []))
    # Data lives in named volumes that survive `docker compose down`.
    volumes = set(compose.get("volumes") or {})
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert {"postgres-data", "redis-data", "media"} <= volumes


def test_app_services_are_configured_only_by_the_env_file(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert _env_files(service) == [".env"], f"{name} must read env_file: .env"
        assert "environment" not in service, f"{name}: settings belong in .env, not in compose"
    for name in ("web", "beat", *WORKERS):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "migrate --noinput" in " ".join(_command(services["migrate"]))


def test_workers_per_kind_of_work_consume_every_queue_of_the_celery_app(compose):
    celery_source = (ROOT / "kewaspadaan" / "celery.py").read_text()
    app_queues = set(re.findall(r'Queue\(\s*"([a-z_]+)"', celery_source))
    assert app_queues == {"default", "scoring", "notifications", "exports"}

    consumed = {}
    for name in WORKERS:
        worker = _command(compose["services"][name])
        assert worker[:4] == ["celery", "-A", "kewaspadaan", "worker"]
        consumed[name] = set(worker[worker.index("-Q") + 1].split(","))
    # Every queue has a worker, and scoring never shares one with notifications.
    assert set().union(*consumed.values()) == app_queues
    assert consumed["worker-scoring"] == {"scoring"}
    assert "notifications" in consumed["worker-notifications"]
    beat = _command(compose["services"]["beat"])
    assert beat[:4] == ["celery", "-A", "kewaspadaan", "beat"]


def test_media_volume_is_mounted_where_the_settings_put_uploads(compose):
    media_root = env_example()["MEDIA_ROOT"]
    for name in ("web", *WORKERS):
        assert f"media:{media_root}" in compose["services"][name]["volumes"], name


# --- .env.example and the settings --------------------------------------------------------

def test_env_example_documents_exactly_the_variables_the_settings_read():
    read = settings_variables()
    documented = set(env_example())
    assert len(read) > 20, f"the settings scan found too few variables: {sorted(read)}"
    missing, unknown = sorted(read - documented), sorted(documented - read)
    assert not missing, f"read by settings.py, missing from .env.example: {missing}"
    assert not unknown, f"in .env.example, never read by settings.py: {unknown}"


def test_env_example_has_safe_production_values():
    values = env_example()
    assert values["DEBUG"] == "false"
    assert values["DEMO_MODE"] == "false"
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "false"
    assert values["SECRET_KEY"] == "CHANGE-ME", "SECRET_KEY must be a placeholder"
    assert values["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in values["DATABASE_URL"], "the compose postgres service"
    assert values["REDIS_URL"].startswith("redis://redis:6379/"), "the compose redis service"


def _settings_environment(values: dict[str, str]) -> dict[str, str]:
    """This process's environment without any setting (tests/settings.py sets some), plus
    ``values``."""
    drop = settings_variables() | {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    keep = {k: v for k, v in os.environ.items() if k not in drop}
    return {**keep, **values, "KW_DOTENV": "0"}


def test_env_example_passes_the_deploy_checks(tmp_path):
    values = env_example()
    values["SECRET_KEY"] = secrets.token_urlsafe(64)
    values["FIELD_ENCRYPTION_KEYS"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    # Paths inside the image; here only the values' form matters.
    values["STATIC_ROOT"] = str(tmp_path / "static")
    values["MEDIA_ROOT"] = str(tmp_path / "media")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_settings_environment(values), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_placeholder_secret_key_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import kewaspadaan.settings"],
        cwd=ROOT, env=_settings_environment(env_example()), capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


# --- Dockerfile and .dockerignore -------------------------------------------------------

def test_dockerfile_builds_front_end_and_app_in_stages_and_runs_unprivileged():
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert stages[0].startswith("node:20") and stages[-1] == "python:3.12-slim", stages
    assert "npm ci" in text and "node scripts/vendor-static.mjs" in text
    assert "COPY --from=frontend /src/static/vendor/ static/vendor/" in text

    dev_uv = re.search(r"^UV_VERSION=(\S+)", (ROOT / "dev").read_text(), re.M).group(1)
    assert f"pip install --no-cache-dir --disable-pip-version-check uv=={dev_uv}" in text
    assert "uv sync --frozen --no-dev" in text
    assert "python scripts/compile_translations.py" in text
    assert "manage.py collectstatic --noinput" in text

    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and not users[-1].startswith(("root", "0")), "the image must not run as root"
    cmd = re.search(r"^CMD\s+(\[.*?\])\s*$", text, re.M | re.S).group(1)
    assert '"gunicorn", "kewaspadaan.wsgi:application"' in cmd
    assert '"0.0.0.0:8000"' in cmd


def test_image_paths_agree_with_env_example():
    text = DOCKERFILE.read_text()
    values = env_example()
    for name in ("STATIC_ROOT", "MEDIA_ROOT"):
        assert re.search(rf"\b{name}={re.escape(values[name])}\b", text), (
            f"Dockerfile ENV {name} differs from .env.example ({values[name]})"
        )
    assert f"mkdir -p {values['MEDIA_ROOT']}" in text
    assert f"chown kewaspadaan:kewaspadaan {values['MEDIA_ROOT']}" in text


def test_dockerignore_keeps_secrets_and_local_builds_out_but_the_locks_in():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".env", ".venv", "node_modules", "static/vendor", ".git"} <= ignored
    for needed in ("uv.lock", "package-lock.json", "pyproject.toml", "scripts", "static",
                   "locale", "manage.py"):
        assert needed not in ignored, f"{needed} is needed by the image build"
