"""The signature of a delivery: HMAC-SHA256 with the subscription's secret over "<timestamp>.<body>", sent as

    X-EduPortal-Signature: t=<unix seconds>,v1=<hex digest>

(the scheme Stripe and others use). The timestamp is signed so that a receiver can refuse an old message
replayed by someone who captured it; a replay we send on request is signed anew with the time of sending.
"""
from __future__ import annotations

import hashlib
import hmac

HEADER = "X-EduPortal-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256)
    return f"t={int(timestamp)},v1={mac.hexdigest()}"


def signature_valid(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """The receiver's check (the README gives the same in a few lines): the digest matches and the time is recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))
