"""Full load and nightly delta: how a client keeps an exact copy of what its token may see.

Full load (once, or to start over):
    1. POST /api/v1/snapshots/ -> {"snapshot": S1, "as_of": T1}. The token pins the data as of T1, so pages
       pulled over minutes or hours, in any order, in parallel, make one consistent picture while schools
       keep writing.
    2. For each kind (schools, staff, students) and each partition K of N, in parallel:
       GET /api/v1/<kind>/?snapshot=S1&partition=K&partitions=N, following `next`. The N partitions are
       disjoint and together the whole.
    3. Keep T1.

Delta (each night):
    1. POST /api/v1/snapshots/ -> S2, T2. The window is [T1, T2): `updated_since=T1&snapshot=S2`. Windows
       meet without gap or overlap, so nothing is lost or applied twice.
    2. Removals first, for each kind: `deleted/` (records deleted: remove by id, or by natural key when the
       local system never stored our ids), `key-changes/` (a merge: the old key is gone, whatever referred to
       it now refers to the new one), and for pupils `transferred-out/` (a pupil who left the token's schools
       for a school outside them: it leaves the mirror).
    3. Then upsert the records list of the window. A pupil who moved between two schools of the scope is in
       `transferred-out/` (the school left) and in the list (the school joined): removed, then put back.
    4. Keep T2.
Both land in one local transaction: a run that fails half-way leaves the mirror as it was, and is simply
run again.
"""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from .client import Client
from .store import KINDS, Mirror

PAGE_SIZE = 1000  # the API's largest page


def snapshot_take(client: Client) -> tuple[str, str]:
    body = client.post_json("snapshots/").json()
    return body["snapshot"], body["as_of"]


def full_load(client: Client, mirror: Mirror, *, partitions: int = 4, kinds=KINDS,
              page_size: int = PAGE_SIZE) -> dict[str, int]:
    """Replace the mirror with the token's whole scope as of one snapshot. Returns the count per kind."""
    token, as_of = snapshot_take(client)

    def pull(kind: str, k: int) -> int:
        loaded = 0
        params = {"snapshot": token, "partition": k, "partitions": partitions, "page_size": page_size}
        for page in client.pages(f"{kind}/", params):
            mirror.upsert(kind, page)
            loaded += len(page)
        return loaded

    counts = dict.fromkeys(kinds, 0)
    with mirror.transaction(), ThreadPoolExecutor(max_workers=partitions) as pool:
        mirror.clear()
        jobs = {(kind, k): pool.submit(pull, kind, k) for kind in kinds for k in range(partitions)}
        for (kind, _), job in jobs.items():
            counts[kind] += job.result()  # re-raises a partition's failure: the transaction rolls back
        mirror.set("as_of", as_of)
        mirror.set("url", client.base_url)
        mirror.set("full_load_at", _now())
    return counts


def delta(client: Client, mirror: Mirror, *, kinds=KINDS, page_size: int = PAGE_SIZE) -> dict[str, dict[str, int]]:
    """Apply the changes since the last run's `as_of`. Returns, per kind, how many rows each feed brought."""
    since = mirror.get("as_of")
    if since is None:
        raise RuntimeError("no full load yet: run `full-load` first")
    if mirror.get("url") not in (None, client.base_url):  # a delta applies only to the copy of the same server
        raise RuntimeError(f"this mirror was loaded from {mirror.get('url')}: run `full-load` for {client.base_url}")
    token, as_of = snapshot_take(client)
    window = {"updated_since": since, "snapshot": token, "page_size": page_size}
    report = {kind: {"deleted": 0, "key_changes": 0, "transferred_out": 0, "upserted": 0} for kind in kinds}
    with mirror.transaction():
        for kind in kinds:
            for row in client.all(f"{kind}/deleted/", window):
                mirror.remove(kind, record_id=row["id"], natural=row["natural_key"])
                report[kind]["deleted"] += 1
            for change in client.all(f"{kind}/key-changes/", window):
                mirror.key_change_add(kind, change)
                mirror.remove(kind, record_id=change["old"]["id"], natural=change["old"])
                report[kind]["key_changes"] += 1
            if kind == "students":
                for row in client.all("students/transferred-out/", window):
                    mirror.remove(kind, record_id=row["id"])
                    report[kind]["transferred_out"] += 1
        for kind in kinds:
            for page in client.pages(f"{kind}/", window):
                mirror.upsert(kind, page)
                report[kind]["upserted"] += len(page)
        mirror.set("as_of", as_of)
        mirror.set("delta_at", _now())
    return report


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
