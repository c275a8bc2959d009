"""Row schema and validation for uploads (and API writes) of pupils, results and measurements.

One definition of the rules, shared by the file upload (uploads/) and the REST API:

    from students.importers import PUPILS, validate_row
    from edu_portal.common.importing import ImportContext
    ctx = ImportContext(scope=scope, school=school, school_year=current_school_year())
    cleaned, errors = validate_row({"pupil_code": "HS1", "full_name": "...", ...}, context=ctx)
    # errors: [RowError(column, value, reason)]; RowError.message(header) is the Vietnamese text.
    [(rownum, cleaned, state, errors)] = PUPILS.resolve([(0, cleaned)], context=ctx)
    # state: "new" | "changed" | "unchanged"; errors from the database checks (pupil at another
    # school: a transfer is needed; ID number owned by another pupil).

`validate_row` never touches the database; `resolve` checks a batch in two queries.
Importers here, one module each: PUPILS (pupils.py: pupil + enrollment for the school year),
RESULTS (results.py), PHYSICAL (physical.py). The uploads engine discovers IMPORTERS.
"""
from .physical import PHYSICAL, PhysicalImporter
from .pupils import GENDERS, PUPILS, PupilImporter, validate_row
from .results import RESULTS, SUBJECT_RATINGS, TERMS, ResultImporter, parse_subject_scores

IMPORTERS = {i.kind: i for i in (PUPILS, RESULTS, PHYSICAL)}

__all__ = ["GENDERS", "IMPORTERS", "PHYSICAL", "PUPILS", "RESULTS", "SUBJECT_RATINGS", "TERMS",
           "PhysicalImporter", "PupilImporter", "ResultImporter", "parse_subject_scores", "validate_row"]
