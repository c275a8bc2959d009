"""The push of education data (enrichment) to the registry."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from edu_portal.common.models import current_school_year
from students.models import OPEN_ENROLLMENT, Enrollment

from ..models import EnrichmentCursor, VerificationStatus
from ..registry_client import RegistryClient


def enrichment_push(*, max_batches: int = 50, client=None) -> int:
    """Send the education data of verified pupils for the current school year to the registry, in
    batches, continuing where the last push stopped. Returns the number of records sent."""
    year = current_school_year()
    cursor, _ = EnrichmentCursor.objects.get_or_create(school_year=year)
    repass_hours = getattr(settings, "ENRICHMENT_REPASS_HOURS", 24)
    if cursor.pass_completed_at:
        if timezone.now() - cursor.pass_completed_at < dt.timedelta(hours=repass_hours):
            return 0
        cursor.last_student_id, cursor.pushed, cursor.pass_completed_at = 0, 0, None
    client = client or RegistryClient()
    sent = 0
    for _ in range(max_batches):
        rows = list(Enrollment.objects.filter(
            OPEN_ENROLLMENT, school_year=year, student_id__gt=cursor.last_student_id,
            student__verification_status=VerificationStatus.VERIFIED,
        ).order_by("student_id").values("student_id", "student__id_number", "grade", "class_name", "status",
                                        "school__code", "school__level")[:1000])
        if not rows:
            cursor.pass_completed_at = timezone.now()
            break
        client.push_education([{
            "id_number": r["student__id_number"], "school_year": year, "school_code": r["school__code"],
            "education_level": r["school__level"], "grade": r["grade"], "class_name": r["class_name"],
            "enrollment_status": r["status"],
        } for r in rows])
        cursor.last_student_id = rows[-1]["student_id"]
        cursor.pushed += len(rows)
        sent += len(rows)
        cursor.save()
    cursor.save()
    return sent
