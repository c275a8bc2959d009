"""API writes are validated by exactly the row rules of the bulk upload (<app>/importers.py): the
viewset names its importer (RecordViewSet.importer) and how a stored record reads as a row.

The serializer checks JSON types; then the row goes through the importer's `validate_row` (the
same code an uploaded spreadsheet row goes through) and its cleaned values go to the service,
which validates the model in full once more before writing.

For a partial update the record's current values fill in the row, and only the errors about
the fields being changed are reported (plus the ID number when the identity changes, because
its digits must agree with the date of birth and gender).
"""
from __future__ import annotations

from edu_portal.common.exceptions import AppError
from edu_portal.common.importing import ImportContext, RecordImporter
from edu_portal.common.models import current_school_year, id_number_entry_check

IDENTITY = {"id_number", "date_of_birth", "gender"}
# API field -> service argument, where they differ.
SERVICE_NAMES = {"birth_province": "birth_province_id", "province": "province_id", "commune": "commune_id"}


def validate_like_upload(importer: RecordImporter, data: dict, *, scope, school, instance=None,
                         current_row: dict | None = None, not_for_update=frozenset()) -> dict:
    """The upload's row rules on API data; returns the keyword arguments for the app's service.

    For an update, `current_row` is the record as an upload row would carry it, and
    `not_for_update` the fields the importer derives or keys on, which the update service takes
    elsewhere or not at all."""
    # Refused before any rule looks at the value (the same 403 the services give).
    typed = "id_number" in data and (instance is not None or data["id_number"] not in (None, ""))
    id_number_entry_check(scope=scope, typed=typed)
    context = ImportContext(scope=scope, school=school,
                            school_year=data.get("school_year") or current_school_year())
    row = dict(current_row or {}) if instance is not None else {}
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
    cleaned.pop("qualification_standard", None)  # derived by the service
    if instance is None:
        if data.get("school_year"):
            cleaned["school_year"] = data["school_year"]
        return cleaned
    wanted = {SERVICE_NAMES.get(key, key) for key in data} - set(not_for_update)
    return {key: value for key, value in cleaned.items() if key in wanted}
