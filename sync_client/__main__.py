"""Command line of the reference sync client.

    export EDU_PORTAL_URL=http://127.0.0.1:8000 EDU_PORTAL_TOKEN=<token>
    python -m sync_client full-load                 # the token's whole scope, under one snapshot
    python -m sync_client delta                     # each night: what changed since the last run
    python -m sync_client push students pupils.ndjson --mode per_record
    python -m sync_client webhook-listen --port 8088 --secret <subscription secret>
    python -m sync_client status
    python -m sync_client conformance               # check the server against the contract
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import conformance
from .client import ApiError, Client
from .push import BULK_KINDS, push
from .store import Mirror
from .sync import delta, full_load
from .webhooks import make_server


def partition_count(text: str) -> int:
    if not (text.isdigit() and 1 <= int(text) <= 256):
        raise argparse.ArgumentTypeError("a whole number from 1 to 256 (the API's limit)")
    return int(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m sync_client", description=__doc__.split("\n")[0])
    main.add_argument("--url", default=os.environ.get("EDU_PORTAL_URL", "http://127.0.0.1:8000"),
                      help="the portal (env EDU_PORTAL_URL)")
    main.add_argument("--token", default=os.environ.get("EDU_PORTAL_TOKEN"), help="API token (env EDU_PORTAL_TOKEN)")
    main.add_argument("--mirror", default=os.environ.get("EDU_PORTAL_MIRROR", "mirror.sqlite3"),
                      help="the local mirror's SQLite file (env EDU_PORTAL_MIRROR)")
    commands = main.add_subparsers(dest="command", required=True)
    load = commands.add_parser("full-load", help="replace the mirror with the token's scope, under one snapshot")
    load.add_argument("--partitions", type=partition_count, default=4,
                      help="partitions pulled in parallel threads (1-256)")
    commands.add_parser("delta", help="apply what changed since the last full load or delta")
    bulk = commands.add_parser("push", help="bulk upsert of a CSV or NDJSON file")
    bulk.add_argument("kind", choices=BULK_KINDS)
    bulk.add_argument("file", type=Path)
    bulk.add_argument("--mode", choices=("atomic", "per_record"), default="atomic")
    bulk.add_argument("--key", help="Idempotency-Key (default: a digest of the file and the mode)")
    listen = commands.add_parser("webhook-listen", help="receive signed webhook messages")
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=8088)
    listen.add_argument("--secret", default=os.environ.get("EDU_PORTAL_WEBHOOK_SECRET"),
                        help="the subscription's secret (env EDU_PORTAL_WEBHOOK_SECRET)")
    commands.add_parser("status", help="what the mirror holds and when it was last synced")
    commands.add_parser("conformance", help="check the server against the contract (PASS/FAIL)")
    return main


def run(args) -> int:
    mirror = Mirror(args.mirror)
    client = Client(args.url, args.token)
    try:
        if args.command == "status":
            print(json.dumps({"url": mirror.get("url"), "mirror": str(mirror.path), "records": mirror.counts(),
                              "as_of": mirror.get("as_of"), "full_load_at": mirror.get("full_load_at"),
                              "delta_at": mirror.get("delta_at"),
                              "key_changes": len(mirror.key_changes("students")),
                              "webhook_events": len(mirror.events())}, indent=2))
            return 0
        if args.command == "webhook-listen":
            if not args.secret:
                print("error: --secret (or EDU_PORTAL_WEBHOOK_SECRET) is required", file=sys.stderr)
                return 2
            server = make_server(args.host, args.port, secret=args.secret, mirror=mirror,
                                 on_event=lambda event: print(json.dumps(event, ensure_ascii=False), flush=True))
            print(f"listening on http://{args.host}:{server.server_port}/", flush=True)
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                server.server_close()
            return 0
        if not args.token:
            print("error: --token (or EDU_PORTAL_TOKEN) is required", file=sys.stderr)
            return 2
        if args.command == "conformance":
            return conformance.main(["--url", args.url, "--token", args.token])
        if args.command == "full-load":
            counts = full_load(client, mirror, partitions=args.partitions)
            print(json.dumps({"loaded": counts, "as_of": mirror.get("as_of")}))
        elif args.command == "delta":
            print(json.dumps({"applied": delta(client, mirror), "as_of": mirror.get("as_of")}))
        elif args.command == "push":
            result = push(client, args.kind, args.file, mode=args.mode, key=args.key)
            print(json.dumps({"job": result.job, "existing_job": result.reused}, ensure_ascii=False))
            for row in result.rejected:
                key = json.dumps(row.get("key"), ensure_ascii=False)  # the natural key the line named
                print(f"line {row['line']} {key}: {json.dumps(row['errors'], ensure_ascii=False)}", file=sys.stderr)
            return 0 if result.job["status"] == "done" and not result.rejected else 1
        for line in client.log:
            print(line, file=sys.stderr)
        return 0
    except ApiError as exc:
        # The server said no: say what it said, with the fields it named.
        print(f"error: {exc}", file=sys.stderr)
        if exc.details:
            print(json.dumps(exc.details, ensure_ascii=False, indent=2), file=sys.stderr)
        return 2
    except (RuntimeError, ValueError, OSError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        mirror.close()


def main(argv: list[str] | None = None) -> int:
    return run(parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
