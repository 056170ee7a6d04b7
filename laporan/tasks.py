"""Periodic work of the incident app (Celery)."""

from celery import shared_task


@shared_task(name="laporan.tasks.erase_personal_data")
def erase_personal_data() -> int:
    """UU PDP 27/2022: erase the personal data of finished incidents past their retention
    end (laporan.confidential.erase_personal_data). Returns how many incidents were erased;
    a rerun erases nothing twice."""
    from laporan.confidential import erase_personal_data as erase

    return len(erase())
