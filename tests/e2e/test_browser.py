"""In a real browser: import the demo through the upload page, read the dashboard and a
relationship, log a journal entry, run the coach, see hostile text as text, every main page
on a desktop and a phone screen, and the report opened with the network cut off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reciprocity import demo, ingest, pipeline, store
from reciprocity.report import write_report

HOSTILE = Path(__file__).parent.parent / "fixtures" / "web" / "WhatsApp Chat with Mallory.txt"

#: The main pages, by screenshot name.
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


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#export", str(path))
    page.fill("#me", demo.ME)
    page.fill("#timezone", demo.TIMEZONE)
    # The previous upload's result is still on the page: wait for this upload's own job
    # box (a new id) to say it is over, since imports queue and run in the background.
    before = page.eval_on_selector_all("#result [id^='job-']", "els => els.map(e => e.id)")
    with page.expect_response(lambda r: r.url.endswith("/import") and r.request.method == "POST"):
        page.click("button[type=submit]")
    page.wait_for_function(
        """before => {
            const box = document.querySelector("#result [id^='job-']");
            return box && !before.includes(box.id) && box.querySelector(".done, .problem");
        }""",
        arg=before,
        timeout=120_000,
    )
    assert page.locator("#result .done").count() == 1, page.inner_text("#result")


def _watch(page: Any) -> tuple[list[str], list[str]]:
    """Console errors and dialogs (an alert would mean injected script ran)."""
    errors: list[str] = []
    dialogs: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    def dialog(opened: Any) -> None:
        dialogs.append(opened.message)
        opened.dismiss()

    page.on("console", console)
    page.on("dialog", dialog)
    return errors, dialogs


def test_a_person_imports_reads_logs_and_prepares_a_talk(
    browser: Any, server: str, tmp_path: Path, screenshots: Path
) -> None:
    files = demo.write_demo(tmp_path / "exports")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, dialogs = _watch(page)

    page.goto(f"{server}/import")
    for path in [*files, HOSTILE]:
        _upload(page, path)
    # The upload's progress came through htmx's events into our script.
    assert page.eval_on_selector("#upload-progress", "bar => bar.value") == 100
    assert "new messages" in page.inner_text("#result")

    page.click("#result >> text=See the dashboard")
    names = set(page.locator(".card h2 a").all_inner_texts())
    assert {"Alex", "Jordan", "Riley", "Kai"} <= names
    assert page.locator("#rank-title").is_visible()

    page.click(".card >> text=Alex")
    page.wait_for_selector("h1:has-text('Alex')")
    assert page.locator("svg[role=img]").count() >= 2
    # The messages behind a reading, opened from the keyboard; focus follows the content.
    page.focus("button:has-text('What you gave: attention')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#evidence li")
    assert page.evaluate("document.activeElement.id") == "evidence"
    page.click("button:has-text('Your check-ins')")
    page.wait_for_selector("#examples li")

    # Log a moment with Alex from the relationship page's link.
    page.click("text=Log a moment")
    assert page.input_value("#person") == "Alex"
    page.select_option("#dimension", "practical_help")
    page.check("input[name=energy][value='-1']")
    page.fill("#note", "helped with the move <again>")
    page.click("button:has-text('Save the entry')")
    page.wait_for_selector(".entries li")
    assert "helped with the move <again>" in page.inner_text(".entries")
    assert page.locator("svg.energy").count() == 1

    # The coach: the answer is swapped in under the form, then the talk is recorded.
    page.click("nav >> text=Coach")
    page.fill("#draft", "You never ask how I am, you only call when you need something.")
    page.fill("#coach-person", "Alex")
    page.click("button:has-text('Check my draft')")
    page.wait_for_selector("#coaching .statement")
    assert page.url.endswith("/coach")  # no page load: HTMX swapped the result in
    statement = page.inner_text("#coaching .statement")
    assert statement.startswith("I feel ")
    assert "starts most of our conversations" in statement
    page.click("button:has-text('We had this conversation')")
    page.wait_for_selector("#recorded .done")
    page.screenshot(path=str(screenshots / "coach-result.png"), full_page=True)

    # The hostile person: name and messages appear as text, nothing runs.
    page.goto(server + "/")
    page.click(".card a:has-text('onerror')")
    page.click("button[hx-get*='topic=good_news'] >> nth=1")
    page.wait_for_selector("#examples li")
    text = page.inner_text("#examples")
    assert '<script>alert("pwned")</script>' in text
    assert page.locator("#examples script, #main img").count() == 0
    page.screenshot(path=str(screenshots / "hostile.png"), full_page=True)
    assert dialogs == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
    page.close()


def test_every_main_page_on_desktop_and_phone(
    browser: Any, filled_server: str, screenshots: Path
) -> None:
    for label, size in (("desktop", (1100, 900)), ("phone", (390, 844))):
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        errors, dialogs = _watch(page)
        for name, url in MAIN_PAGES.items():
            page.goto(filled_server + url)
            assert page.locator("h1").count() == 1, name
            # Nothing wider than the screen: no sideways scrolling of the whole page.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= size[0], f"{name} is {width}px wide on a {label}"
            page.screenshot(path=str(screenshots / f"{name}-{label}.png"), full_page=True)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # Focus is visible: the focused link draws an outline.
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        assert dialogs == []
        assert errors == [], errors
        page.close()


def test_report_makes_no_network_request(browser: Any, tmp_path: Path, screenshots: Path) -> None:
    db = store.open_db(tmp_path / "report.sqlite")
    for path in [*demo.write_demo(tmp_path / "exports"), HOSTILE]:
        pipeline.import_file(db, path, me=demo.ME, options=ingest.Options(timezone=demo.TIMEZONE))
    report = write_report(db, tmp_path / "report.html")
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Anything but the file itself is cut off, so a leak could not reach a server either.
    page.route("http*://**/*", lambda route: route.abort())
    page.goto(report.as_uri())
    page.wait_for_load_state("networkidle")
    assert requested == [report.as_uri()]
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert page.locator("svg[role=img]").count() >= 10
    assert page.locator("img").count() == 0
    page.screenshot(path=str(screenshots / "report.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(screenshots.parent / "report.pdf"))
    # The same listener does see a page that fetches: the check above can fail.
    page.set_content('<img src="http://192.0.2.1/probe.png" alt="">')
    assert any(url.startswith("http://192.0.2.1/") for url in requested)
    page.close()
