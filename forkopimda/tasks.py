"""Celery tasks of forums and recommendations. Thin: they take ids, call one service, and
declare their retry policy here. They are queued only after a commit."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from forkopimda import services

TRANSIENT = (OperationalError, InterfaceError, DatabaseError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=5,
             soft_time_limit=600, time_limit=660)
def notify_overdue() -> list[int]:
    """Periodic: notify once about every open recommendation past its deadline."""
    return services.overdue_notify()


@shared_task(
    acks_late=True, autoretry_for=(services.DeliveryError, *TRANSIENT), retry_backoff=10,
    retry_backoff_max=1800, retry_jitter=True, max_retries=10, soft_time_limit=120,
    time_limit=150,
)
def deliver_overdue_notices(recommendation_id: int) -> dict:
    """Send the pending overdue notices of one recommendation (e-mail; portal ones are
    marked sent)."""
    return services.overdue_deliver(recommendation_id=recommendation_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30, max_retries=5,
             soft_time_limit=120, time_limit=150)
def send_situation_reports() -> int:
    """Periodic (weekly): queue one report per subscription; each is claimed once."""
    due = services.situation_reports_due()
    for subscription_id in due:
        send_situation_report.delay(subscription_id)
    return len(due)


@shared_task(
    acks_late=True, autoretry_for=(OSError, *TRANSIENT), retry_backoff=60,
    retry_backoff_max=3600, retry_jitter=True, max_retries=8, soft_time_limit=300,
    time_limit=330,
)
def send_situation_report(subscription_id: int) -> bool:
    """Build and e-mail one subscriber's situation report (SMTP errors are OSErrors)."""
    return services.situation_report_send(subscription_id=subscription_id)
