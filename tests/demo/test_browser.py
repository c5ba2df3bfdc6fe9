"""The demo report in a real browser (Debian's chromium): renders without console errors,
lays Persian out right to left, and leaves a screenshot for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sabt.demo import DemoResult
from tests.browser import ARGS, CHROMIUM, require_chromium, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

# For Persian text: where its first and last letters are drawn. Right to left means the first
# letter stands to the right of the last one. (Only names are probed: digits inside Persian
# dates form left-to-right runs by the Unicode bidi algorithm, as they should.)
RTL_PROBE = """() => Array.from(document.querySelectorAll('bdi[lang=fa]')).map(el => {
  const node = el.firstChild; const n = node.textContent.length; const r = document.createRange();
  r.setStart(node, 0); r.setEnd(node, 1); const first = r.getBoundingClientRect();
  r.setStart(node, n - 1); r.setEnd(node, n); const last = r.getBoundingClientRect();
  return {text: node.textContent, dir: getComputedStyle(el).direction,
          firstX: first.left, lastX: last.left, width: el.getBoundingClientRect().width};
})"""


def test_report_renders_without_errors_and_rtl(demo: DemoResult, tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = watched_page(browser, problems, width=1300, height=1800)
        page.goto(Path(demo.report).resolve().as_uri())
        page.wait_for_load_state("load")
        shot = Path(os.environ.get("SABT_SCREENSHOT_DIR", tmp_path)) / "demo-report.png"
        page.screenshot(path=str(shot), full_page=False)
        persian = page.evaluate(RTL_PROBE)
        synthetic_box = page.locator("#synthetic").bounding_box()
        browser.close()
    assert problems == []
    assert shot.stat().st_size > 10_000
    assert synthetic_box is not None and synthetic_box["height"] > 100
    multi_letter = [p for p in persian if len(p["text"]) > 2 and p["width"] > 0
                    and not any(ch.isdigit() for ch in p["text"])]
    assert multi_letter, "the report shows Persian text"
    for item in multi_letter:
        assert item["dir"] == "rtl", item
        assert item["firstX"] > item["lastX"], f"not laid out right to left: {item}"
