"""Worker heartbeat: each Celery worker writes a short-lived key to Redis while it lives.

``/readyz`` reads the keys instead of broadcasting a ping and waiting for replies, so the
probe answers in milliseconds and a dead worker disappears within ``TTL`` seconds.
"""

from __future__ import annotations

import json
import threading
import time

import redis
from django.conf import settings

PREFIX = "kw:worker-heartbeat:"
INTERVAL = 10
TTL = 35


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def beat(hostname: str, queues: list[str]) -> None:
    payload = json.dumps({"hostname": hostname, "queues": queues, "at": time.time()})
    _client().set(PREFIX + hostname, payload, ex=TTL)


def start(hostname: str, queues: list[str]) -> threading.Event:
    """Start beating in a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                beat(hostname, queues)
            except redis.RedisError:
                pass  # the broker is down; the worker reconnects and the next beat tells
            stop.wait(INTERVAL)

    threading.Thread(target=run, name="kw-heartbeat", daemon=True).start()
    return stop


def forget(hostname: str) -> None:
    try:
        _client().delete(PREFIX + hostname)
    except redis.RedisError:
        pass


def live_workers() -> list[dict]:
    client = _client()
    workers = []
    for key in client.scan_iter(match=PREFIX + "*", count=100):
        raw = client.get(key)
        if raw:
            workers.append(json.loads(raw))
    return sorted(workers, key=lambda w: w["hostname"])
