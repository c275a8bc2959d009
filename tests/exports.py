"""Reading the portal's downloads in tests (edu_portal.common.exports writes them): the "as of" line, then the
header and the rows; CSV with the separator of the response's language (";" in Vietnamese, "," in English)."""
import csv
import io

from openpyxl import load_workbook


def read_export(response) -> tuple[str, list[list]]:
    """(the "as of" line, [header, *rows]) of a CSV or Excel download."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        sheet = load_workbook(io.BytesIO(body)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        return rows[0][0], rows[1:]
    assert body.startswith(b"\xef\xbb\xbf"), "a CSV download starts with the UTF-8 BOM"
    delimiter = "," if response.get("Content-Language", "vi").startswith("en") else ";"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))
    return rows[0][0], rows[1:]


def export_rows(response) -> list[list]:
    """The header and rows, without the "as of" line."""
    return read_export(response)[1]
