"""The signature of a delivery: HMAC-SHA256 with the subscription's secret over "<timestamp>.<body>", sent as

    X-EduPortal-Signature: t=<unix seconds>,v1=<hex digest>

(the scheme Stripe and others use). The timestamp is signed so that a receiver can refuse an old message
replayed by someone who captured it; a replay we send on request is signed anew with the time of sending.
The receiver's check is in the README ("Webhooks") and, written apart from this module, in tests/webhooks.
"""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-EduPortal-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256)
    return f"t={int(timestamp)},v1={mac.hexdigest()}"

