"""On a phone (390 x 844) every page and the report fit the screen, with text a person can
read; printed, the report shows its overview and the user's needs on a sensible number of
A4 pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reciprocity import demo, guide, ingest, pipeline, store
from reciprocity.demo import large
from reciprocity.report import write_report

#: Every page of the app (as in test_browser.py), by name.
MAIN_PAGES = {
    "dashboard": "/",
    "relationship": "/relationship/1",
    "journal": "/journal",
    "expectations": "/expectations",
    "coach": "/coach",
    "check-in": "/assess?relationship=1",
    "parent": "/parent",
    "import": "/import",
    "people": "/people",
    "settings": "/settings",
}
PHONE = {"width": 390, "height": 844}
#: Smallest text, in CSS pixels as rendered (an SVG label counts at its drawn size).
MIN_TEXT_PX = 12
#: The header with the navigation on a phone: one row (a menu button), not three lines.
MAX_NAV_PX = 64

#: What a page looks like to a person on a phone: how wide the document is, which boxes
#: scroll sideways, the smallest text as drawn, and the height of the navigation.
MEASURE = f"""() => {{
  const small = [];
  let smallest = Infinity;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {{
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.textContent.trim() || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, title')) continue;
    let size = parseFloat(style.fontSize);
    const svg = el.closest('svg');
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {{
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }}
    smallest = Math.min(smallest, size);
    const label = node.textContent.trim().slice(0, 40);
    if (size < {MIN_TEXT_PX}) small.push(label + ' ' + size.toFixed(1));
  }}
  const sideways = [];
  for (const el of document.querySelectorAll('body *')) {{
    const x = getComputedStyle(el).overflowX;
    if ((x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1) {{
      sideways.push(el.tagName.toLowerCase() + '.' + el.className);
    }}
  }}
  const nav = document.querySelector('header.top nav');
  return {{width: document.documentElement.scrollWidth, smallest, small: small.slice(0, 8),
          sideways, nav: nav ? nav.getBoundingClientRect().height : 0}};
}}"""


def _check_phone(page: Any, name: str) -> dict[str, Any]:
    seen: dict[str, Any] = page.evaluate(MEASURE)
    assert seen["width"] <= PHONE["width"], f"{name} scrolls sideways: {seen['width']} px wide"
    assert seen["sideways"] == [], f"{name} hides content in boxes that scroll sideways"
    assert seen["small"] == [], f"{name} has text under {MIN_TEXT_PX} px: {seen['small']}"
    return seen


def test_every_page_fits_a_phone_with_readable_text(
    browser: Any, filled_server: str, screenshots: Path
) -> None:
    page = browser.new_page(viewport=PHONE)
    for name, url in MAIN_PAGES.items():
        page.goto(filled_server + url)
        seen = _check_phone(page, name)
        assert seen["nav"] <= MAX_NAV_PX, f"{name}: the navigation is {seen['nav']} px high"
    # The relationship page with its fragments open: the messages behind a reading.
    page.goto(filled_server + MAIN_PAGES["relationship"])
    page.click("button:has-text('What you gave: attention')")
    page.wait_for_selector("#evidence li")
    _check_phone(page, "relationship with evidence")
    # The menu opens to every page, in one tap.
    page.click("header summary:has-text('Menu')")
    page.click("header details a:has-text('Journal')")
    page.wait_for_selector("h1:has-text('Journal')")
    page.screenshot(path=str(screenshots / "journal-phone-after-menu.png"), full_page=True)
    page.close()


def test_the_report_fits_a_phone(browser: Any, tmp_path: Path, screenshots: Path) -> None:
    db = store.open_db(tmp_path / "report.sqlite")
    for path in demo.write_demo(tmp_path / "exports"):
        pipeline.import_file(db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    report = write_report(db, tmp_path / "report.html")
    page = browser.new_page(viewport=PHONE)
    page.goto(report.as_uri())
    _check_phone(page, "the report")
    # The reading of each kind of giving is on screen, not in a column off to the right.
    reading = page.locator("td[data-label=Reading]").first
    box = reading.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(screenshots / "report-phone.png"), full_page=True)
    page.close()


#: Printed pages allowed per person (the overview and patterns come on top).
PAGES_PER_PERSON = 1.5
#: Printed pages allowed per group chat (its sentence and a table of its members).
PAGES_PER_GROUP = 1


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def test_the_printed_report_has_its_overview_and_needs_on_few_pages(
    browser: Any, tmp_path: Path, screenshots: Path
) -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        pytest.skip("poppler-utils is not installed (apt-get install poppler-utils)")
    db = store.open_db(tmp_path / "ten.sqlite")
    zone = ingest.Options(timezone=demo.TIMEZONE)
    for path in demo.write_demo(tmp_path / "exports"):
        pipeline.import_file(db, path, me=demo.ME, options=zone)
    more = large.write_csv(tmp_path / "more.csv", 6 * 400, seed=3, conversations=6)
    pipeline.import_file(db, more, me=demo.ME, options=ingest.Options(timezone="UTC"))
    guide.add_expectation(db, "Alex", "reply", 24, "answer within a day")
    people = store.list_people(db).height
    assert people == 10
    groups = len(pipeline.analyze(db).group_records)
    assert groups == 1  # the demo's pub quiz
    report = write_report(db, tmp_path / "report.html")

    page = browser.new_page()
    page.goto(report.as_uri())
    page.emulate_media(media="print")
    pdf = screenshots.parent / "report-ten-people.pdf"
    page.pdf(path=str(pdf), format="A4")
    page.close()

    pages = _pdf_pages(pdf)
    allowed = PAGES_PER_PERSON * people + PAGES_PER_GROUP * groups
    assert pages <= allowed, f"{pages} A4 pages for {people} people and {groups} group"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Overview" in text
    assert "Person 6" in text.split("Patterns across")[0]  # the overview's table is printed
    assert "Your needs from Alex, checked" in text
    assert "answers my messages within 24 hours" in text
