"""The Celery application. Queues separate kinds of work so one cannot starve another."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready, worker_shutdown
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kewaspadaan.settings")

app = Celery("kewaspadaan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "default"
app.conf.task_queues = (
    Queue("default"),
    Queue("scoring"),
    Queue("notifications"),
    Queue("exports"),
)
# Which queue each kind of work goes to: scoring never waits behind a slow mail server.
app.conf.task_routes = {
    "kewaspadaan.tasks.rescore_*": {"queue": "scoring"},
    "kewaspadaan.tasks.deliver_alert": {"queue": "notifications"},
    "kewaspadaan.tasks.deliver_alerts": {"queue": "notifications"},
    "kewaspadaan.tasks.retry_failed_deliveries": {"queue": "notifications"},
    "forkopimda.tasks.notify_overdue": {"queue": "notifications"},
    "forkopimda.tasks.deliver_overdue_notices": {"queue": "notifications"},
    "forkopimda.tasks.send_situation_report*": {"queue": "exports"},
}
app.autodiscover_tasks()

# Periodic tasks, one place, each with a comment on why it runs (Celery beat reads this).
app.conf.beat_schedule = {
    # Time decay changes every score a little each day, and requests left while the broker
    # was down are picked up here.
    "rescore-all-hourly": {
        "task": "kewaspadaan.tasks.rescore_all",
        "schedule": crontab(minute=7),
    },
    # Deliveries that failed (mail server down, gateway timing out) or were never queued.
    "retry-failed-deliveries": {
        "task": "kewaspadaan.tasks.retry_failed_deliveries",
        "schedule": crontab(minute="*/10"),
    },
    # Recommendations past their deadline: one notice per recipient (a rerun sends nothing
    # twice), early each morning so it is waiting when work starts in WIT (05:15 WIB).
    "notify-overdue-recommendations": {
        "task": "forkopimda.tasks.notify_overdue",
        "schedule": crontab(hour=5, minute=15),
    },
    # UU PDP 27/2022: personal data of finished incidents (informant, actor descriptions,
    # evidence files) is erased once PERSONAL_DATA_RETENTION_DAYS have passed after the
    # election's dispute period; nightly, in the quiet hours (idempotent, logged).
    "erase-personal-data": {
        "task": "laporan.tasks.erase_personal_data",
        "schedule": crontab(hour=2, minute=45),
    },
    # The weekly situation report (laporan situasi) of the week that ended on Sunday, to
    # each subscriber, before Monday's coordination meetings.
    "weekly-situation-reports": {
        "task": "forkopimda.tasks.send_situation_reports",
        "schedule": crontab(hour=5, minute=30, day_of_week=1),
    },
}


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
