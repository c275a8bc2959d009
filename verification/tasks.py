"""Celery tasks of identity verification (batched calls to the population registry)."""
from celery import shared_task


@shared_task(acks_late=True)
def verify_records(kind: str, ids: list[int]) -> None:
    """Verify these records against the registry. Implemented by the verification issue."""
    # Intentionally empty until the registry client lands: records stay `queued` and the sweep
    # of the verification issue picks them up.
    return None
