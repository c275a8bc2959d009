"""Find Vietnamese source text left in a page rendered in English (issue 21).

    untranslated(html, data=()) -> list[str]

`html` is a page (or any text); the answer lists, once each and in page order, the pieces of visible
text that are still Vietnamese: a source string of our catalogue (a msgid with an English translation),
or any other text carrying Vietnamese letters (ă â đ ê ô ơ ư and the tone marks) that is not data.

Data is what users and the registers wrote: people's, schools' and places' names, class names, reasons
typed into a form. It is told apart in two ways:
- `data`: the data values the page may show (`data_values()` reads them from the database: provinces,
  communes, schools, sites, pupils, staff, users, ethnic groups); each is removed from the text before
  the check, so "Hello, Nguyễn Văn An" passes and "Xin chào, Nguyễn Văn An" does not;
- markup: an element with `translate="no"` (the HTML attribute meaning exactly this) or with a `lang`
  other than English (the language list names Tiếng Việt in Vietnamese, `lang="vi"`) is skipped whole.

What is read: text nodes, the title/placeholder/aria-label/alt attributes, and the strings inside JSON
scripts (`json_script`: chart labels and legends built in Python). Other scripts and styles are not.

Used by tests/common/test_english_pages.py (every page through the Django test client) and by the
Chromium walker (pass it `page.content()`).
"""
from __future__ import annotations

import gettext
import json
import re
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

MO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"

# Letters found in Vietnamese and not in English words (the tone marks over any vowel, and ă â đ ê ô ơ ư).
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ]")
# Vietnamese kept in English text on purpose: the symbols of legal documents (Circular 13/2020/TT-BGDĐT, Decree
# 71/2020/NĐ-CP: capitals with Đ) and the names of the upload template's sheets, which the English text quotes.
KEPT = re.compile(r"[A-Z0-9/-]*Đ[A-ZĐ0-9/-]*|'Mã hợp lệ'|'Danh mục thiết bị'")
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _squeeze(text: str) -> str:
    return " ".join(text.split())


class _Text(HTMLParser):
    """Collects the visible text segments of a page, skipping what is marked as not to translate."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.script: str | None = None  # "json" inside a JSON script, "other" inside code or style

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        skip = self.skipping or attrs.get("translate") == "no" or (tag != "html" and lang and
                                                                      not lang.startswith("en"))
        if not skip:
            self.segments.extend(attrs[a] for a in ATTRIBUTES if attrs.get(a))
        if tag in ("script", "style"):
            kind = (attrs.get("type") or "").lower()
            self.script = "json" if tag == "script" and "json" in kind else "other"
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.script = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.skipping or self.script == "other":
            return
        if self.script == "json":
            try:
                self.segments.extend(_json_strings(json.loads(data)))
            except ValueError:
                pass
            return
        self.segments.append(data)


def _json_strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


@cache
def _catalogue() -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """The msgids of the English catalogue whose translation differs from them (singulars and plurals):
    exact texts, and patterns for those with placeholders."""
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # noqa: SLF001 - the parsed .mo, msgid -> msgstr
    exact, patterns = set(), []
    for key, translated in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = _squeeze(msgid.split("\x04", 1)[-1])  # drop a msgctxt
        if not msgid or _squeeze(translated) == msgid or "<" in msgid:
            continue
        if PLACEHOLDER.search(msgid):
            parts = [re.escape(p) for p in PLACEHOLDER.split(msgid)]
            if sum(len(p) for p in PLACEHOLDER.split(msgid)) >= 8:  # "%(n)s %(m)s" matches anything
                patterns.append(re.compile("^" + ".+?".join(parts) + "$"))
        else:
            exact.add(msgid)
    return frozenset(exact), tuple(patterns)


def segments(html: str) -> list[str]:
    """The visible text of a page, one piece per text node or attribute, whitespace squeezed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return [s for s in (_squeeze(s) for s in parser.segments) if s]


_WORD = re.compile(r"\w+")


def _data_index(data: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The data values with Vietnamese letters (only those can hide anything; a class "3A" removed would cut words
    apart), by their first word, longest first: a page's text is compared with the few that may occur in it, not
    with the country's names (tens of thousands in the demo database)."""
    index: dict[str, list[str]] = {}
    for value in {_squeeze(v) for v in data if v and VIETNAMESE.search(v)}:
        first = _WORD.search(value)
        if first:
            index.setdefault(first.group(0), []).append(value)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in index.items()}


def _without_data(segment: str, index: dict[str, tuple[str, ...]]) -> str:
    for word in dict.fromkeys(_WORD.findall(segment)):
        for value in index.get(word, ()):  # longest first: "Trường Tiểu học Anpha" before "Anpha"
            if value in segment:
                segment = segment.replace(value, " ")
    return segment


def untranslated(html: str, data: Iterable[str] = ()) -> list[str]:
    """Vietnamese text left in an English page: source strings of our catalogue and other text with
    Vietnamese letters, data values (`data`, and elements marked translate="no" or lang="vi") excepted."""
    exact, patterns = _catalogue()
    index = _data_index(data)
    found: list[str] = []
    for segment in segments(html):
        rest = _squeeze(KEPT.sub(" ", _without_data(segment, index)))
        if not rest:
            continue
        if rest in exact or VIETNAMESE.search(rest) or any(p.match(rest) for p in patterns):
            if segment not in found:
                found.append(segment)
    return found


def data_values() -> set[str]:
    """Every data value a page may show that is written in Vietnamese: names of places, schools, sites,
    people and users, ethnic groups, class names, reasons and notes typed by users. Reads the database
    (call it once per test; pages must render these as they are)."""
    from django.apps import apps

    fields = {
        "geo.Province": ["name"], "geo.Commune": ["name"], "geo.LegacyProvince": ["name"],
        "geo.EthnicGroup": ["name"], "schools.School": ["name", "address"], "facilities.Site": ["name"],
        "students.Student": ["full_name", "class_name"], "teachers.StaffMember": ["full_name"],
        "accounts.User": ["first_name", "last_name"],
        # The equipment lists of the circulars (facilities/catalogue.py): reference data named as the circulars
        # name it, not translated yet.
        "facilities.EquipmentItem": ["name", "subject"],
    }
    values: set[str] = set()
    for label, names in fields.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        names = [n for n in names if any(f.name == n for f in model._meta.get_fields())]  # noqa: SLF001
        for row in model.objects.values_list(*names):
            values.update(v for v in row if isinstance(v, str))
    for user in apps.get_model("accounts.User").objects.all():
        values.add(user.get_full_name())
    return {v for v in values if v}
