"""The naive design, for the verification benchmark's baseline only: one Celery task and one HTTP
call per person. Loaded by the benchmark's workers with `celery worker -I bench.naive_tasks`."""
from celery import shared_task

from verification import services
from verification.registry_client import RegistryClient


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def verify_one_naive(kind: str, pk: int) -> str:
    """Read one record, ask the registry about it alone, write the answer (same CAS as batches)."""
    pending = list(services.model_for(kind).objects.filter(pk=pk)
                   .values("pk", *services.IDENTITY_FIELDS, "verification_status", "verification_checked_at"))
    if not pending:
        return "gone"
    record = pending[0]
    answer = RegistryClient().verify([{"id_number": record["id_number"], "full_name": record["full_name"],
                                       "date_of_birth": record["date_of_birth"].isoformat(),
                                       "gender": record["gender"]}])
    counts = services.results_apply(kind=kind, sent=pending, results=answer["results"])
    return next(iter(counts), "stale")
