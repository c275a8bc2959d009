"""CSV for the statistics endpoints (?format=csv): one row per area, formula cells neutralised."""
import csv
import io

from rest_framework.renderers import BaseRenderer

from dashboards.exports import safe_cell


def _flat(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update({f"{key}_{k}": v for k, v in value.items()})
        elif not isinstance(value, list):
            out[key] = value
    return out


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "error" in data:
            rows = [_flat(data["error"])]
        elif isinstance(data, dict) and "results" in data:
            rows = [_flat(r) for r in data["results"]]
        elif isinstance(data, dict):
            rows = [_flat({"group": "total", **data})]
            rows += [_flat({"group": f"level:{r['key']}", **r}) for r in data.get("by_level", [])]
            rows += [_flat({"group": f"ownership:{r['key']}", **r}) for r in data.get("by_ownership", [])]
        else:
            rows = [_flat(r) for r in data]
        header: list[str] = []
        for row in rows:
            header += [k for k in row if k not in header]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(row.get(k)) for k in header])
        return out.getvalue().encode("utf-8")
