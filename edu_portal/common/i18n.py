"""Texts in the reader's language: lazy interpolation, and messages stored as a code with parameters.

A message kept in the database (an upload's result, a row's error, a verification's failure reason, a
notification) is written once and read later by people who chose different languages. Storing the sentence
would freeze the writer's language ("Đã ghi: 3 mới…" for an English reader), so it is stored as a code and its
parameters (`message_store`) and rendered when it is shown (`message_render`), from the catalogue below.
Rows written before codes existed have only their text: `message_render` shows it as it was.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, ngettext, ngettext_lazy, trans_real
from django.utils.translation import gettext_lazy as _


def _interpolate(template, params: Mapping) -> str:
    return str(template) % params if params else str(template)


# A lazy template filled in when shown (in the language active then): _("Lớp %(grade)s") % {...} on a lazy
# string would translate at once, at import time, in the default language.
lazy_interpolate = lazy(_interpolate, str)


# --- the catalogue of stored messages --------------------------------------------------------------------
# code -> its template: gettext_lazy, or ngettext_lazy keyed by "_count" (the raw value of the parameter "n", which
# the text shows with the language's thousands separator). Parameters are plain JSON values; one that is itself a
# stored message ({"code", "params"}) is rendered first.
MESSAGES: dict = {
    # uploads (uploads/services.py): the result of a commit and of a check
    "upload.committed": _("Đã ghi: %(created)s mới, %(changed)s thay đổi, %(unchanged)s không đổi."),
    "upload.valid": _("Tệp hợp lệ: kiểm tra số liệu rồi bấm Ghi dữ liệu."),
    "upload.failed_rows": ngettext_lazy("%(n)s dòng có lỗi: sửa tệp rồi tải lên lại. Không có gì được ghi.",
                                        "%(n)s dòng có lỗi: sửa tệp rồi tải lên lại. Không có gì được ghi.", "_count"),
}


def message_text(code: str, params: Mapping | None = None) -> str:
    """The message `code` with `params`, in the active language ("" for an unknown code)."""
    template = MESSAGES.get(code)
    if template is None:
        return ""
    shown = {k: message_render(v) if isinstance(v, dict) else _shown(v) for k, v in (params or {}).items()}
    shown["_count"] = int((params or {}).get("n") or 0)  # what a plural message's form is chosen by (raw "n")
    try:
        return str(template % shown)
    except (KeyError, ValueError, TypeError):  # a row stored with other parameters than the catalogue expects
        return str(template)


def _shown(value):
    """A parameter as the reader reads it: counts with the language's thousands separator (38.809 / 38,809)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    return value


def message_store(code: str, **params) -> dict:
    """What to keep in the database: {"code", "params"} (a JSON value), rendered later by message_render."""
    if code not in MESSAGES:
        raise KeyError(f"unknown message code: {code}")
    return {"code": code, "params": params}


def message_render(stored, fallback: str = "") -> str:
    """A stored message in the reader's language: a {"code", "params"} value, or the text stored before
    codes existed (`fallback`, or `stored` itself when it is a string)."""
    if isinstance(stored, dict) and stored.get("code") in MESSAGES:
        return message_text(stored["code"], stored.get("params"))
    if isinstance(stored, str) and stored:
        return stored_text(stored)
    return stored_text(fallback)


def plural_text(singular: str, plural: str, n: int, **params) -> str:
    """ngettext with the count among the parameters (as %(n)s)."""
    return ngettext(singular, plural, n) % {"n": n, **params}


# --- texts stored before codes existed, and texts built in the writer's language -------------------------
# A row error's reason, a verification's failure reason, a check's result: each was written as a sentence of
# our catalogue, in Vietnamese, with its values filled in. Read back, such a sentence is matched against the
# catalogue's source strings (their placeholders as wildcards), and shown translated with its values (each
# value translated in turn when it is itself a sentence of the catalogue). What matches nothing (a name, a
# reason a user typed) is shown as stored.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


@functools.cache
def _patterns(language: str) -> tuple[dict[str, str], list[tuple[str, re.Pattern, str]]]:
    catalog = trans_real.translation(language)._catalog  # noqa: SLF001 - the loaded catalogue, msgid -> msgstr
    exact, patterns = {}, []
    for key in catalog.keys():  # noqa: SIM118 - the catalogue is not a dict
        if not isinstance(key, str) or not key or "\x04" in key:
            continue
        if not _PLACEHOLDER.search(key):
            exact[key] = key
            continue
        literals = _PLACEHOLDER.split(key)[::2]
        if sum(len(part) for part in literals) < 3:  # "%(a)s: %(b)s" would match anything
            continue
        regex, names, position = "", [], 0
        for match in _PLACEHOLDER.finditer(key):
            regex += re.escape(key[position:match.start()])
            name = match.group(1) or f"_{len(names)}"
            regex += f"(?P<{name}>.+?)" if name not in names else f"(?P={name})"
            names.append(name)
            position = match.end()
        regex += re.escape(key[position:])
        patterns.append((literals[0], re.compile(regex + r"\Z", re.DOTALL), key))
    patterns.sort(key=lambda p: -sum(len(x) for x in _PLACEHOLDER.split(p[2])[::2]))  # the most specific first
    return exact, patterns


def _translate(text: str, language: str, depth: int = 0) -> str:
    exact, patterns = _patterns(language)
    if text in exact:
        return gettext(text)
    if depth > 3:
        return text
    for prefix, regex, msgid in patterns:
        if not text.startswith(prefix):
            continue
        match = regex.match(text)
        if match is None:
            continue
        values = {k: _translate(v, language, depth + 1) for k, v in match.groupdict().items()}
        translated = gettext(msgid)
        if "%(" in msgid:
            return translated % values
        return translated % tuple(values[k] for k in sorted(values, key=lambda k: int(k[1:])))
    return text


@functools.lru_cache(maxsize=4096)
def _stored_text(text: str, language: str) -> str:
    try:
        return _translate(text, language)
    except (KeyError, ValueError, TypeError):
        return text


def stored_text(text) -> str:
    """A sentence stored in Vietnamese, in the reader's language (see above); anything else as it is."""
    if not isinstance(text, str) or not text:
        return "" if text is None else str(text)
    language = get_language() or settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE:  # stored in the source language already
        return text
    return _stored_text(text, language)


def message_source(stored: dict) -> str:
    """A stored message in the source language (Vietnamese), for the text column kept beside the code (old
    readers, logs, the API's plain `message`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return message_text(stored["code"], stored.get("params"))
