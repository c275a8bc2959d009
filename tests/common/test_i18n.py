"""The English catalogue: pages speak English when the user chose it, and every source string
(Vietnamese) has an English translation that the compiled .mo actually carries."""
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Role
from tests.factories import UserFactory

BASE = Path(settings.BASE_DIR)
PO = BASE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# What `makemessages` is run over (the same --ignore list as the README/Makefile command).
IGNORED = {".venv", ".local", "staticfiles", "static", "tests", "bench", "node_modules", "locale",
           "media", "test-artifacts", "docs", "backups", "__pycache__"}


# --- pages -----------------------------------------------------------------------------------

def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_login_page_is_english_when_chosen_and_vietnamese_by_default(client):
    vi = client.get("/login/").content.decode()
    assert '<html lang="vi">' in vi
    assert "Đăng nhập" in vi and "Mật khẩu" in vi and "Log in" not in vi

    en = _english(client).get("/login/")
    html = en.content.decode()
    assert en["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Log in" in html and "Username" in html and "Password" in html
    assert "Đăng nhập" not in html and "Mật khẩu" not in html


@pytest.mark.django_db
def test_home_page_is_english_when_chosen_and_vietnamese_by_default(client):
    client.force_login(UserFactory(role=Role.MINISTRY))
    vi = client.get("/").content.decode()
    for text in ("Học sinh", "Cán bộ, giáo viên", "Trường học", "Đăng xuất", "Xem danh sách"):
        assert text in vi
    assert "Pupils" not in vi

    en = _english(client).get("/").content.decode()
    for text in ("Pupils", "Staff", "Schools", "Log out", "View list", "Your data scope"):
        assert text in en
    for text in ("Học sinh", "Cán bộ, giáo viên", "Đăng xuất", "Xem danh sách"):
        assert text not in en


@pytest.mark.django_db
def test_choice_labels_filters_and_menu_are_english_when_chosen(client):
    from schools.models import SchoolLevel
    from tests.factories import SchoolFactory

    SchoolFactory(level=SchoolLevel.PRIMARY, name="Trường Thử Nghiệm")
    client.force_login(UserFactory(role=Role.MINISTRY))
    vi = client.get("/schools/").content.decode()
    for text in ("Tiểu học", "Công lập", "Cấp học", "Số liệu tổng hợp", "Tải lên"):
        assert text in vi
    en = _english(client).get("/schools/").content.decode()
    for text in ("Primary", "Public", "Level", "Dashboards", "Uploads"):
        assert text in en
    for text in ("Tiểu học", "Công lập", "Cấp học", "Số liệu tổng hợp"):
        assert text not in en


@pytest.mark.django_db
def test_language_selector_switches_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get("/login/").content.decode()

    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    assert "Đăng nhập" in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Đăng nhập" in client.get("/login/").content.decode()


# --- the catalogue ---------------------------------------------------------------------------

def _unquote(line: str) -> str:
    body = line.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags; obsolete ones dropped."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := re.match(r'(msgid_plural|msgid|msgctxt|msgstr(?:\[(\d+)\])?)\s+(".*")$', line):
                keyword, index, text = match.groups()
                if keyword.startswith("msgstr"):
                    current = ("msgstr", int(index or 0))
                    entry["msgstr"][current[1]] = _unquote(text)
                else:
                    current = (keyword, None)
                    entry[keyword] = _unquote(text)
            elif line.startswith('"') and current:
                if current[0] == "msgstr":
                    entry["msgstr"][current[1]] += _unquote(line)
                else:
                    entry[current[0]] += _unquote(line)
        if entry is not None and entry["msgid"] is not None:
            entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
            entries.append(entry)
    return entries


def untranslated(entries: list[dict]) -> list[str]:
    return [e["msgid"] for e in entries
            if e["msgid"] and ("fuzzy" in e["flags"] or not all(e["msgstr"]))]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\w*\}|</?\w+[^>]*>|&\w+;")


@pytest.fixture(scope="module")
def catalogue():
    return parse_po(PO)


def test_the_catalogue_parser_sees_missing_and_fuzzy_translations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "A"\nmsgstr "a"\n\n'
                  '#, fuzzy\nmsgid "B"\nmsgstr "b"\n\nmsgid "C"\nmsgstr ""\n\n'
                  'msgid "%(n)s x"\nmsgid_plural "%(n)s x"\nmsgstr[0] "%(n)s y"\nmsgstr[1] ""\n\n'
                  '#~ msgid "old"\n#~ msgstr ""\n', encoding="utf-8")
    assert untranslated(parse_po(po)) == ["B", "C", "%(n)s x"]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert len(catalogue) > 150
    header = catalogue[0]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    assert untranslated(catalogue) == []


def test_translations_keep_placeholders_and_markup(catalogue):
    wrong = []
    for entry in catalogue[1:]:
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for i, translated in enumerate(entry["msgstr"]):
            source = sources[min(i, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append((source, translated))
    assert wrong == []


def test_compiled_catalogue_matches_the_po(catalogue):
    """The .mo is committed (no gettext at run time), so it must not lag behind the .po."""
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for entry in catalogue[1:]:
        if entry["msgid_plural"]:
            got = [mo.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        elif entry.get("msgctxt") is not None:  # one word, two meanings (pgettext): "Sửa" is "Edit" or "Changed"
            got = [mo.pgettext(entry["msgctxt"], entry["msgid"])]
        else:
            got = [mo.gettext(entry["msgid"])]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "run: python manage.py compilemessages -l en --ignore=.venv"


@pytest.mark.skipif(shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
                    reason="GNU gettext is not installed")
def test_every_source_string_has_a_translation(tmp_path, settings, monkeypatch):
    """Run makemessages over the source (on a copy of the catalogue): a string wrapped in
    translate/gettext after the catalogue was last updated shows up here as untranslated."""
    work = tmp_path / "src"
    work.mkdir()
    for item in BASE.iterdir():
        if item.name not in IGNORED and not item.name.startswith("."):
            (work / item.name).symlink_to(item)
    locale = tmp_path / "src" / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    # The copy lacks one entry: it must come back from the source, proving the scan ran.
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    kept = [b for b in blocks if 'msgid "Đăng nhập"\n' not in b + "\n"]
    assert len(kept) == len(blocks) - 1
    (locale / "django.po").write_text("\n\n".join(kept), encoding="utf-8")
    settings.LOCALE_PATHS = [str(work / "locale")]
    monkeypatch.chdir(work)
    call_command("makemessages", locale=["en"], symlinks=True, verbosity=0,
                 ignore_patterns=sorted(IGNORED - {"locale"}))
    merged = parse_po(locale / "django.po")
    missing = untranslated(merged)
    assert "Đăng nhập" in missing
    missing.remove("Đăng nhập")
    assert missing == [], (
        "New UI strings without an English translation. Run makemessages -l en (see README), "
        f"translate them in {PO.relative_to(BASE)}, then compilemessages: {missing}")
    logout = next(e for e in merged if e["msgid"] == "Đăng xuất")  # merged: translations kept
    assert logout["msgstr"] == ["Log out"]
