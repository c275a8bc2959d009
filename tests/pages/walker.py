"""What the page walker checks on each page it opens (tests/pages/test_walk.py), kept apart from the walk so the
same checks can be run by hand against a running portal (`python -m tests.pages.walker URL USER PASSWORD PATH...`).

- the page never scrolls sideways: wide tables scroll inside their own `.table-scroll` box (static/css/portal.css);
- no table cell's text runs over into the next cell;
- axe-core finds no critical or serious violation of WCAG 2 A/AA;
- in English, no Vietnamese source string is left (tests/i18n_check.py, written apart; skipped only while missing).
"""
from __future__ import annotations

import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / ".local" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_IMPACTS = ("critical", "serious")

try:
    i18n_check = importlib.import_module("tests.i18n_check")
except ModuleNotFoundError as error:  # only while the module itself is missing, not when something it imports is
    if error.name != "tests.i18n_check":
        raise
    i18n_check = None

# The whole document's width against the window's: 1 px of rounding allowed.
OVERFLOW_JS = """() => {
  const doc = document.scrollingElement || document.documentElement;
  if (doc.scrollWidth <= window.innerWidth + 1) return null;
  // Name the widest elements that stick out, so the failure says where to look.
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && r.width > 0) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      if (!parent || parent.right <= window.innerWidth + 1) {
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                 + ' (' + Math.round(r.right) + 'px)');
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, culprits: out.slice(0, 5)};
}"""

# Table cells whose content runs over into the next cell (a fixed table layout with unbreakable text): the page may
# fit its window and still be unreadable. 2 px of rounding allowed; cells that clip or scroll on purpose are skipped.
SPILL_JS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.offsetParent === null || cell.scrollWidth <= cell.clientWidth + 2) continue;
    if (getComputedStyle(cell).overflowX !== 'visible') continue;
    const table = cell.closest('table');
    out.push((table && table.dataset.testid ? table.dataset.testid + ': ' : '')
             + cell.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)
             + ' (' + cell.scrollWidth + ' > ' + cell.clientWidth + 'px)');
  }
  return out.slice(0, 5);
}"""

# Two animation frames: a resize's observers (Chart.js redraws its canvas) have run.
NEXT_FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

AXE_RUN_JS = """async (impacts) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']},
    resultTypes: ['violations'],
  });
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')),
  }));
}"""


def is_full_page(page) -> bool:
    """htmx fragments (a progress bar, a status line) are parts of pages, checked inside them."""
    return bool(page.evaluate("() => !!document.querySelector('body > main')"))


def overflow(page) -> dict | None:
    return page.evaluate(OVERFLOW_JS)


def spilled_cells(page) -> list[str]:
    return page.evaluate(SPILL_JS)


def axe_violations(page) -> list[dict]:
    if not AXE_JS.exists():
        raise AssertionError(f"axe-core is missing ({AXE_JS}): run scripts/ensure_axe.sh (make test does)")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN_JS, list(AXE_IMPACTS))


def untranslated(page):
    """Vietnamese left in an English page, as tests.i18n_check.untranslated reports it (None: not checked)."""
    if i18n_check is None:
        return None
    # The page's HTML, not its text: elements marked as not to translate (the language list's "Tiếng Việt",
    # lang="vi") are skipped, and chart labels in JSON scripts are read; the database's names are data.
    return i18n_check.untranslated(page.content(), data=i18n_check.data_values())


if __name__ == "__main__":  # pragma: no cover - a tool for looking at a running portal by hand
    import json
    import sys

    from playwright.sync_api import sync_playwright

    CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-quic"]
    base, user, password, *paths = sys.argv[1:]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context().new_page()
        page.goto(f"{base}/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for path in paths:
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(base + path, wait_until="domcontentloaded")
                found = {"overflow": overflow(page), "spilled": spilled_cells(page),
                         "axe": axe_violations(page) if width == 1366 else []}
                if any(found.values()):
                    print(path, width, json.dumps(found, ensure_ascii=False, indent=1))
        browser.close()
