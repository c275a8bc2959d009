"""`.env.example` lists every environment variable the settings read, and holds no secret."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "edu_portal" / "settings"


def example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    pairs = (re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line) for line in lines)
    return {m.group(1): m.group(2) for m in pairs if m}


def test_every_variable_the_settings_read_is_listed():
    read = set()
    for path in [*SETTINGS.glob("*.py"), ROOT / "gunicorn.conf.py"]:
        read |= set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", path.read_text()))
        read |= set(re.findall(r"""environ(?:\.get|\.setdefault)?[(\[]\s*["']([A-Z][A-Z0-9_]*)["']""",
                               path.read_text()))
    assert read and not read - set(example())


def test_no_secret_has_a_value():
    values = example()
    for name in ("DJANGO_SECRET_KEY", "POPULATION_API_CLIENT_SECRET", "POSTGRES_PASSWORD",
                 "POPULATION_REGISTRY_ADMIN_KEY", "DATABASE_URL", "REDIS_URL"):
        assert values[name] == "", name
    assert values["POPULATION_API_URL"].startswith("https://")
