"""The API's JSON parser: DRF's, with a cap on nesting.

Python's json module recurses once per level of nesting, so a body of 100,000 '[' (100 kB, well
under the request size limit) ends in a RecursionError and a 500. Record bodies are flat objects
(a few levels at most), so anything deeper than MAX_DEPTH is refused as a 400 before it is parsed.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

MAX_DEPTH = 32
# JSON strings (which may hold brackets) are cut out before the brackets are counted.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (0 for a scalar)."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0)


class DepthLimitedJSONParser(JSONParser):
    """JSON bodies nested at most MAX_DEPTH deep; a bad body is a 400 in the API's error shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_DEPTH:
            raise ParseError(f"Thân yêu cầu JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} mức).")
        try:
            text = raw.decode(encoding)
            return json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(f"Thân yêu cầu không phải JSON hợp lệ: {str(exc)[:200]}") from exc
