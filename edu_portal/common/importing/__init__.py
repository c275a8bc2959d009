"""The import framework every records app builds its importers.py on, and the uploads engine and
the API run: one definition of a row's rules for files and API writes alike.

    context.py   ImportContext: who imports, for which school and year, and reference lists
    errors.py    RowError: one problem in one cell
    parsers.py   parse_* functions: values as people's files really carry them
    importer.py  Column and RecordImporter, the shape of an importer
    id_cells.py  the ID-number cell of a person row
    writing.py   what the apps' set-based writers (<app>/writers.py) share

The names below are the ones the apps use; import them from here.
"""
from .context import ImportContext
from .errors import MAX_REASON_CHARS, MAX_VALUE_CHARS, RowError, truncate
from .id_cells import id_number_cell, id_number_shown, id_owner_error, id_owners
from .importer import CHANGED, NEW, UNCHANGED, Column, RecordImporter, other_school_phrase
from .parsers import (
    EXCEL_EPOCH,
    as_text,
    choice_labels,
    field_checker,
    formula_errors,
    header_key,
    is_blank,
    is_formula,
    neutralise,
    parse_choice,
    parse_code,
    parse_date,
    parse_decimal,
    parse_id_number,
    parse_int,
    parse_name,
    parse_school_year,
    parse_text,
)
from .writing import StaleUpload

__all__ = [
    "CHANGED", "EXCEL_EPOCH", "MAX_REASON_CHARS", "MAX_VALUE_CHARS", "NEW", "UNCHANGED", "Column", "ImportContext",
    "RecordImporter", "RowError", "StaleUpload", "as_text", "choice_labels", "field_checker", "formula_errors", "header_key",
    "id_number_cell", "id_owner_error", "id_owners", "id_number_shown", "is_blank", "is_formula", "neutralise", "other_school_phrase",
    "parse_choice", "parse_code", "parse_date", "parse_decimal", "parse_id_number", "parse_int", "parse_name",
    "parse_school_year", "parse_text", "truncate",
]
