"""In a real browser: import the demo through the upload page, read the dashboard and a
relationship, see hostile text as text, and open the report with the network cut off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reciprocity import demo, ingest, pipeline, store
from reciprocity.report import write_report

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#export", str(path))
    page.fill("#me", demo.ME)
    page.fill("#timezone", demo.TIMEZONE)
    page.click("button[type=submit]")
    page.wait_for_selector("#result .done, #result .problem")
    assert page.locator("#result .done").count() == 1, page.inner_text("#result")


def test_import_dashboard_relationship(
    browser: Any, server: str, tmp_path: Path, screenshots: Path
) -> None:
    files = demo.write_demo(tmp_path / "exports")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.goto(f"{server}/import")
    for path in [*files, HOSTILE]:
        _upload(page, path)
    page.screenshot(path=str(screenshots / "import.png"), full_page=True)

    page.goto(server + "/")
    cards = page.locator(".card h2 a")
    names = set(cards.all_inner_texts())
    assert {"Alex", "Jordan", "Riley", "Kai"} <= names
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)

    page.click("text=Alex")
    page.wait_for_selector("h1:has-text('Alex')")
    assert page.locator("svg[role=img]").count() >= 2
    page.click("button:has-text('Your check in')")
    page.wait_for_selector("#examples li")
    page.screenshot(path=str(screenshots / "relationship.png"), full_page=True)

    # The hostile person: name and messages appear as text, nothing runs.
    dialogs: list[str] = []

    def dialog(opened: Any) -> None:
        dialogs.append(opened.message)
        opened.dismiss()

    page.on("dialog", dialog)
    page.goto(server + "/")
    page.click("a:has-text('onerror')")
    page.click("button:has-text('good news')  >> nth=1")
    page.wait_for_selector("#examples li")
    text = page.inner_text("#examples")
    assert '<script>alert("pwned")</script>' in text
    assert page.locator("#examples script, #main img").count() == 0
    assert dialogs == []
    page.screenshot(path=str(screenshots / "hostile.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_phone_sized_dashboard(
    browser: Any, server: str, tmp_path: Path, screenshots: Path
) -> None:
    files = demo.write_demo(tmp_path / "exports")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server}/import")
    _upload(page, files[0])
    page.goto(server + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(screenshots / "dashboard-phone.png"), full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.close()


def test_report_makes_no_network_request(browser: Any, tmp_path: Path, screenshots: Path) -> None:
    db = store.open_db(tmp_path / "report.sqlite")
    for path in [*demo.write_demo(tmp_path / "exports"), HOSTILE]:
        pipeline.import_file(db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    report = write_report(db, tmp_path / "report.html")
    page = browser.new_page()
    requested: list[str] = []

    def guard(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", guard)
    page.goto(report.as_uri())
    page.wait_for_load_state("networkidle")
    assert [u for u in requested if not u.startswith("file://")] == []
    assert page.locator("svg[role=img]").count() >= 10
    assert page.locator("img").count() == 0
    page.screenshot(path=str(screenshots / "report.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(screenshots.parent / "report.pdf"))
    page.close()
