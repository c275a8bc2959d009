"""What the results and the measurements importers share: a row only for a pupil of the uploading
school, and a row's state against the record on file."""
from __future__ import annotations

from edu_portal.common.importing import CHANGED, NEW, UNCHANGED, RowError


def pupil_here(rownum, c, pupils, context):
    """Results and measurements are recorded only for pupils of the uploading school."""
    pupil = pupils.get(c["pupil_code"])
    if pupil is None:
        return rownum, c, None, [RowError("pupil_code", c["pupil_code"],
                                          "không có trong danh sách học sinh; hãy tải lên danh sách học sinh trước")]
    if pupil[2] != context.school.pk:
        return rownum, c, None, [RowError("pupil_code", c["pupil_code"], "không phải là học sinh của trường này")]
    return None


def row_state(old, new) -> str:
    if old is None:
        return NEW
    return UNCHANGED if tuple(old) == tuple(new) else CHANGED
