"""The Celery application. Queues separate kinds of work so one cannot starve another."""

import os

from celery import Celery
from celery.signals import worker_ready, worker_shutdown
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kewaspadaan.settings")

app = Celery("kewaspadaan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (
    Queue("default"),
    Queue("scoring"),
    Queue("notifications"),
    Queue("exports"),
)
app.autodiscover_tasks()

# Periodic tasks, one place, each with a comment on why it runs (Celery beat reads this).
app.conf.beat_schedule = {}


def _queues_of(sender) -> list[str]:
    try:
        return sorted(q.name for q in sender.app.amqp.queues.consume_from.values())
    except Exception:  # noqa: BLE001 - the heartbeat must never stop a worker from starting
        return []


@worker_ready.connect
def _start_heartbeat(sender, **_kwargs):
    from kewaspadaan import heartbeat

    _heartbeats[sender.hostname] = heartbeat.start(sender.hostname, _queues_of(sender))


@worker_shutdown.connect
def _stop_heartbeat(sender, **_kwargs):
    from kewaspadaan import heartbeat

    stop = _heartbeats.pop(sender.hostname, None)
    if stop is not None:
        stop.set()
    heartbeat.forget(sender.hostname)


_heartbeats: dict = {}
