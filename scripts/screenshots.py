"""Screenshots of the three demo users' journeys, for before/after comparisons (issue 21).

Run against a portal that is already running with the demo data and logins (`make run`, or a dev server of
your own), with the project's venv (Playwright) and Debian's Chromium:

    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000 --out docs/screenshots/after

One folder per width and language (`1366-vi/`, `390-en/` ...), one full-page PNG per page, named
`<nn>-<user>-<page>.png`. Pages taller than --max-height are cut there (the top of a page is what differs
between before and after; a 20,000 px list says nothing more), and images are saved as palette PNGs to keep
the repository small.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

# (user, page name, path or "first:<list path>:<link pattern>" for the first record a list links to)
JOURNEYS = [
    ("ministry", "home", "/"),
    ("ministry", "national-dashboard", "/dashboards/"),
    ("ministry", "province-dashboard", "/dashboards/provinces/01/"),
    ("ministry", "school", r"first:/schools/:^/schools/\d+/$"),
    ("ministry", "audit", "/audit/"),
    ("hanoi", "schools", "/schools/"),
    ("hanoi", "dashboard", "/dashboards/provinces/01/"),
    ("hanoi", "facilities", "/dashboards/facilities/provinces/01/"),
    ("school", "pupils-by-class", "class:"),  # the pupil list of the school's first class
    ("school", "pupil", r"first:/students/:^/students/\d+/$"),
    ("school", "verification-failures", "/verification/failures/"),
    ("school", "uploads", "/uploads/"),
]


def _first_link(page, base: str, list_path: str, pattern: str) -> str:
    page.goto(base + list_path, wait_until="domcontentloaded")
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if re.search(pattern, href):
            return href
    return list_path  # nothing to open: show the list itself


def _save(png: bytes, path: Path, max_height: int) -> None:
    image = Image.open(io.BytesIO(png))
    if image.height > max_height:
        image = image.crop((0, 0, image.width, max_height))
    image.convert("RGB").quantize(colors=128).save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots/after")
    parser.add_argument("--widths", default="1366,390")
    parser.add_argument("--languages", default="vi,en")
    parser.add_argument("--users", default="ministry,hanoi,school")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "edu-demo-2026"))
    parser.add_argument("--max-height", type=int, default=3000)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    base, out = args.url.rstrip("/"), Path(args.out)
    users = args.users.split(",")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        for user in users:
            context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", args.password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            for number, (who, name, target) in enumerate(JOURNEYS, start=1):
                if who != user:
                    continue
                if target == "class:":
                    sheet = _first_link(page, base, "/students/class-sheets/", r"class_name=")
                    grade = re.search(r"grade=(\d+)", sheet)
                    class_name = re.search(r"class_name=([^&]+)", sheet)
                    target = (f"/students/?grade={grade.group(1)}&class_name={class_name.group(1)}"
                              if grade and class_name else "/students/")
                elif target.startswith("first:"):
                    _, list_path, pattern = target.split(":", 2)
                    target = _first_link(page, base, list_path, pattern)
                for language in args.languages.split(","):
                    # The language cookie Django's set_language writes: the same as choosing it in the menu.
                    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                    for width in (int(w) for w in args.widths.split(",")):
                        page.set_viewport_size({"width": width, "height": 900})
                        page.goto(base + target, wait_until="load")
                        page.wait_for_timeout(300)  # charts finish their first draw
                        folder = out / f"{width}-{language}"
                        folder.mkdir(parents=True, exist_ok=True)
                        path = folder / f"{number:02d}-{user}-{name}.png"
                        _save(page.screenshot(full_page=True), path, args.max_height)
                        print(path, file=sys.stderr)
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
