"""API writes are validated by exactly the row rules of the bulk upload (<app>/importers.py).

The serializer checks JSON types; then the row goes through the importer's `validate_row` (the
same code an uploaded spreadsheet row goes through) and its cleaned values go to the service,
which validates the model in full once more before writing.

For a partial update the record's current values fill in the row, and only the errors about
the fields being changed are reported (plus the ID number when the identity changes, because
its digits must agree with the date of birth and gender).
"""
from __future__ import annotations

from edu_portal.common.exceptions import AppError
from edu_portal.common.models import current_school_year, id_number_entry_check

IDENTITY = {"id_number", "date_of_birth", "gender"}
# API field -> service argument, where they differ.
SERVICE_NAMES = {"birth_province": "birth_province_id", "province": "province_id", "commune": "commune_id"}
# What the importers derive or key on, which the services take elsewhere or not at all.
NOT_FOR_UPDATE = {"students": {"pupil_code", "grade", "class_name"}, "staff": {"staff_code"},
                  "schools": {"code"}}


def _importer(app: str):
    if app == "students":
        from students.importers import PUPILS

        return PUPILS
    if app == "staff":
        from teachers.importers import STAFF

        return STAFF
    from schools.importers import SCHOOLS

    return SCHOOLS


def _current_row(app: str, instance) -> dict:
    if app == "students":
        enrollment = instance.enrollments.order_by("-school_year").first()
        return {"pupil_code": instance.pupil_code, "id_number": instance.id_number, "full_name": instance.full_name,
                "date_of_birth": instance.date_of_birth, "gender": instance.gender, "ethnicity": instance.ethnicity,
                "birth_province": instance.birth_province_id,
                "grade": enrollment.grade if enrollment else None,
                "class_name": enrollment.class_name if enrollment else None}
    if app == "staff":
        return {key: getattr(instance, key) for key in (
            "staff_code", "id_number", "full_name", "date_of_birth", "gender", "ethnicity", "position",
            "main_subject", "qualification", "employment_status")}
    return {"code": instance.code, "name": instance.name, "level": instance.level, "ownership": instance.ownership,
            "province": instance.province_id, "commune": instance.commune_id, "address": instance.address,
            "status": instance.status}


def validate_like_upload(app: str, data: dict, *, scope, school, instance=None) -> dict:
    """The upload's row rules on API data; returns the keyword arguments for the app's service."""
    from uploads.schema import ImportContext

    # Refused before any rule looks at the value (the same 403 the services give).
    typed = "id_number" in data and (instance is not None or data["id_number"] not in (None, ""))
    id_number_entry_check(scope=scope, typed=typed)
    importer = _importer(app)
    context = ImportContext(scope=scope, school=school,
                            school_year=data.get("school_year") or current_school_year())
    row = _current_row(app, instance) if instance is not None else {}
    if instance is not None and not scope.may_enter_id_numbers and "id_number" in row:
        # The stored number is not this client's to check (nor to hear about): the service keeps it.
        row["id_number"] = None
    row.update({key: value for key, value in data.items() if key != "school_year"})
    cleaned, errors = importer.validate_row(row, context=context)
    if instance is not None:
        relevant = set(data) | ({"id_number"} if IDENTITY & set(data) else set())
        errors = [e for e in errors if e.column in relevant]
    if errors:
        headers = {column.key: column.header for column in importer.columns}
        details: dict[str, list[str]] = {}
        for error in errors:
            shown = f"'{error.value}' " if error.value not in ("", None) and error.column != "id_number" else ""
            details.setdefault(error.column, []).append(f"{shown}{error.reason}".strip())
        raise AppError(errors[0].message(headers.get(errors[0].column)), code="invalid", details=details)
    if cleaned is None:  # only errors about fields not being changed: the service re-checks the rest
        return {SERVICE_NAMES.get(key, key): value for key, value in data.items()}
    cleaned = dict(cleaned)
    cleaned.pop("meets_qualification_standard", None)  # derived by the service
    if instance is None:
        if data.get("school_year"):
            cleaned["school_year"] = data["school_year"]
        return cleaned
    wanted = {SERVICE_NAMES.get(key, key) for key in data} - NOT_FOR_UPDATE[app]
    return {key: value for key, value in cleaned.items() if key in wanted}
