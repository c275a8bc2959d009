"""Uploads: receive a file, validate it in the background, preview, then commit all or nothing.

    upload_create   store the original file and queue validation (after the transaction commits)
    upload_validate stream the file, validate every row (importers), check the database in
                    batches, write the staged rows and the error file; count new/changed/unchanged
    upload_answer   the user answers the questions a file raised (a date column's order): checked again
    upload_confirm  the user accepts the preview of an error-free file: queue the commit
    upload_commit   one transaction: COPY the staged rows and upsert them (<app>/writers.py), mark
                    the school synchronized, queue changed identities for verification

The web form, the Celery tasks, the management command and the benchmark all go through these.
One module per step: create.py, validate.py, work.py (work files, cancel, expiry, giving up) and
commit.py. Limits are patched on the module that reads them (create.MAX_BYTES, validate.MAX_ROWS).
"""
from .answer import upload_answer
from .commit import upload_commit, upload_confirm
from .create import EXTENSIONS, MAX_BYTES, limits_text, upload_create
from .validate import BATCH, MAX_ROWS, STORED_ERRORS, find_header, map_header, upload_validate
from .work import EXPIRING, WORK_FILE_DAYS, upload_cancel, upload_expire_work, upload_give_up

__all__ = ["BATCH", "EXPIRING", "EXTENSIONS", "MAX_BYTES", "MAX_ROWS", "STORED_ERRORS", "WORK_FILE_DAYS",
           "find_header", "limits_text", "map_header", "upload_answer", "upload_cancel", "upload_commit", "upload_confirm",
           "upload_create", "upload_expire_work", "upload_give_up", "upload_validate"]
