"""Celery tasks of the risk engine. Thin: they take ids, call one service, and declare their
retry policy here. They are queued only after a commit (see kewaspadaan.services.risk)."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from kewaspadaan.services import risk

TRANSIENT = (OperationalError, InterfaceError, DatabaseError)


@shared_task(
    bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5,
    retry_backoff_max=300, retry_jitter=True, max_retries=8, soft_time_limit=600,
    time_limit=660,
)
def rescore_pending(self) -> list[str]:
    """Rescore every kab/kota whose signals changed (coalesced: one run serves them all).
    Claims under this task's id, which a redelivery after a worker died keeps."""
    return risk.rescore_pending(claim=self.request.id)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=30,
    max_retries=5, soft_time_limit=3000, time_limit=3300,
)
def rescore_all() -> int:
    """Periodic: apply time decay everywhere and catch up anything missed."""
    return risk.rescore_all()


# Deliveries: a channel that fails raises DeliveryError and the task retries with backoff;
# each delivery row is claimed under a lock, so a retry never sends one twice.
DELIVERY_RETRY = dict(acks_late=True, autoretry_for=(risk.DeliveryError, *TRANSIENT),
                      retry_backoff=10, retry_backoff_max=1800, retry_jitter=True,
                      max_retries=10)


@shared_task(**DELIVERY_RETRY, soft_time_limit=120, time_limit=150)
def deliver_alert(alert_id: int) -> dict:
    """Send an alert's pending deliveries (e-mail, webhook; portal ones are marked sent)."""
    return risk.alert_deliver(alert_id=alert_id)


@shared_task(**DELIVERY_RETRY, soft_time_limit=600, time_limit=660)
def deliver_alerts(alert_ids: list[int]) -> dict:
    """The pending deliveries of many alerts raised by one rescore, in one task."""
    return risk.alerts_deliver(alert_ids=alert_ids)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=330)
def retry_failed_deliveries() -> int:
    """Periodic: queue again the alerts whose deliveries are still pending or failed (for
    example queued while the broker was down, or taken by a worker that died)."""
    return risk.deliveries_requeue()


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT, retry_backoff=5, max_retries=8,
    soft_time_limit=600, time_limit=660,
)
def rescore_region(region_code: str) -> int:
    """Rescore one kab/kota (and its province and the nation) now, whatever is pending: for
    an analyst's "recompute" and for operations. Safe to run twice at once: snapshots are
    upserts and each alert condition is unique."""
    from kewaspadaan.models import Region

    return len(risk.region_rescore(region=Region.objects.get(code=region_code)))
