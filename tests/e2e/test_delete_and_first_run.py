"""In a real browser: delete a journal entry through its confirmation, undo it, and find it
back with the same number; on a first run, open the demo and go back to your own data."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_delete_asks_first_and_undo_brings_the_same_entry_back(
    browser: Any, server: str, screenshots: Path
) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{server}/journal")
    for person, energy in (("Alex", "1"), ("Jordan", "-1")):
        page.fill("#person", person)
        page.check("#new_person")  # an empty database: each is someone new
        page.check(f"input[name=energy][value='{energy}']")
        page.click("text=Save the entry")
        page.wait_for_url("**/journal?saved=*")
    entries = page.locator("ol.entries > li")
    assert entries.count() == 2
    assert "#2" in entries.nth(0).inner_text()

    entries.nth(0).locator("a.danger").click()
    page.wait_for_selector("h1:has-text('Delete this journal entry?')")
    assert "entry #2" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "delete-confirm.png"))
    page.click("text=Keep it")
    page.wait_for_url("**/journal")
    assert page.locator("ol.entries > li").count() == 2  # nothing deleted

    page.locator("ol.entries > li").nth(0).locator("a.danger").click()
    page.click("button:has-text('Delete')")
    page.wait_for_selector("text=Deleted the journal entry #2.")
    assert page.locator("ol.entries > li").count() == 1
    page.screenshot(path=str(screenshots / "delete-undo.png"))
    page.click("button:has-text('Undo')")
    page.wait_for_selector("text=Brought back #2")
    texts = page.locator("ol.entries > li").all_inner_texts()
    assert len(texts) == 2
    assert "#2" in texts[0]
    assert "Jordan" in texts[0]
    page.close()


def test_the_first_run_opens_the_demo_and_goes_back_to_your_data(
    browser: Any, server: str, screenshots: Path
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server)
    assert page.locator("text=Nothing here yet").is_visible()
    with page.expect_navigation(timeout=60_000):
        page.click("text=Try it with made-up chats")
    assert page.locator(".demo-banner").is_visible()
    assert "Demo" in page.inner_text(".demo-banner")
    assert {"Alex", "Jordan"} <= set(page.locator(".card h2 a").all_inner_texts())
    page.screenshot(path=str(screenshots / "first-run-demo-phone.png"), full_page=True)
    page.goto(f"{server}/settings")
    assert "-demo.sqlite" in page.inner_text("main")
    page.click("text=Back to your own data")
    page.wait_for_selector("text=Nothing here yet")
    assert page.locator(".demo-banner").count() == 0
    page.close()
