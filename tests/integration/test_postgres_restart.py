"""A PostgreSQL restart is survived by the web and the worker processes: both answer again
once the database is back, without being restarted themselves.

The test runs its own PostgreSQL cluster (initdb in a temporary folder, on a free loopback
port) so restarting it never disturbs the shared server the rest of the suite uses."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import need, redis_url
from tests.integration.workers import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path("/usr/lib/postgresql")
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker]


def pg_bin(name: str) -> str | None:
    found = sorted(BIN.glob(f"*/bin/{name}"))
    return str(found[-1]) if found else None



def as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the postgres user when root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PrivateCluster:
    def __init__(self, base: Path) -> None:
        self.dir = base / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/kw"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(as_postgres([pg_bin("pg_ctl"), "-D", str(self.dir), "-w", *args]),
                       check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            shutil.chown(self.dir, "postgres")
        subprocess.run(as_postgres([pg_bin("initdb"), "-D", str(self.dir), "-A", "trust",
                                    "-U", "postgres", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self.start()
        subprocess.run(as_postgres([pg_bin("createdb"), "-h", "127.0.0.1", "-p",
                                    str(self.port), "-U", "postgres", "kw"]),
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.pg_ctl("-o", f"-p {self.port} -c listen_addresses=127.0.0.1 "
                          f"-c unix_socket_directories={self.dir}", "-l",
                    str(self.dir / "server.log"), "start")

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "stop")
        time.sleep(1)
        self.start()

    def destroy(self) -> None:
        try:
            self.pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass


@pytest.fixture
def cluster(require_redis):
    need(pg_bin("initdb") is not None, "needs PostgreSQL's server binaries (initdb, pg_ctl)")
    # Not under pytest's own temporary folder: the postgres user must be able to reach it.
    base = Path(tempfile.mkdtemp(prefix="kw-pg-"))
    base.chmod(0o755)
    cluster = PrivateCluster(base)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


def readyz(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:  # noqa: S310
            return json.loads(r.read())
    except urllib.error.HTTPError as error:  # 503 while a check fails: the body says which
        return json.loads(error.read())
    except OSError:
        return {}


def database_ok(port: int) -> bool:
    return readyz(port).get("checks", {}).get("database", {}).get("status") == "ok"


def test_web_and_worker_survive_a_postgres_restart(cluster, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "KW_DOTENV": "0",
           "DATABASE_URL": cluster.url, "REDIS_URL": redis_url(),
           "CELERY_TASK_ALWAYS_EAGER": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_CONN_MAX_AGE": "60"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],  # noqa: S603
                   cwd=ROOT, env=env, check=True, timeout=300)
    port = free_port()
    log = open(tmp_path / "web.log", "w+")
    web = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "kewaspadaan.wsgi:application", "-b",
         f"127.0.0.1:{port}", "-w", "2"], cwd=ROOT, env=env, stdout=log,
        stderr=subprocess.STDOUT)
    worker_log = open(tmp_path / "worker.log", "w+")
    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "kewaspadaan", "worker", "-n", "kwpg@%h",
         "-Q", "default,scoring,notifications,exports", "-c", "1", "-P", "solo", "-l", "INFO",
         "--without-gossip", "--without-mingle"], cwd=ROOT, env=env, stdout=worker_log,
        stderr=subprocess.STDOUT)
    try:
        # Before: the database answers the web, and a task that reads it succeeds.
        assert wait_for(lambda: database_ok(port), timeout=60), readyz(port)
        send = [sys.executable, "-c",
                "import django; django.setup(); from kewaspadaan import tasks; "
                "tasks.retry_failed_deliveries.delay()"]
        subprocess.run(send, cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603

        def succeeded(n):
            # This task's own lines: "Task kewaspadaan.tasks.retry_failed_deliveries[id]
            # succeeded in ...", counted.
            done = re.compile(r"retry_failed_deliveries\[[^\]]+\] succeeded")
            return lambda: len(done.findall(open(worker_log.name).read())) >= n

        assert wait_for(succeeded(1), timeout=60), open(worker_log.name).read()[-3000:]

        cluster.restart()

        # After: neither process was restarted; both work again.
        assert wait_for(lambda: database_ok(port), timeout=60), readyz(port)
        subprocess.run(send, cwd=ROOT, env=env, check=True, timeout=60)  # noqa: S603
        assert wait_for(succeeded(2), timeout=90), open(worker_log.name).read()[-3000:]
        assert web.poll() is None and worker.poll() is None
    finally:
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=30)
        log.close()
        worker_log.close()
