"""In a real browser: a name pointed at 127.0.0.1 (DNS rebinding) reads nothing, and a page
of another program on this computer cannot post to the app, even holding a valid token."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")


@contextmanager
def _other_program(page_html: str) -> Iterator[str]:
    """A page served by another program on 127.0.0.1 (another port); yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page_html.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    other = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        other.shutdown()
        other.server_close()


def test_a_page_of_another_program_cannot_post_even_with_the_token(
    browser: Any, server: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/settings")
    token = next(c["value"] for c in context.cookies() if c["name"] == "reciprocity_csrf")
    # The other program's page: a form to our app with the real token (as if it had planted
    # or learnt it). 127.0.0.1 on another port is the same site, so the browser even sends
    # our SameSite=Strict cookie along: only the origin check stands in the way.
    attack = f"""<!DOCTYPE html><html><body>
<form id="f" method="post" action="{server}/settings/kind">
<input name="csrf_token" value="{token}"><input name="person_id" value="1">
<input name="kind" value="child"></form>
<script>document.getElementById("f").submit();</script></body></html>"""
    with _other_program(attack) as url:
        with page.expect_response(lambda r: r.url.endswith("/settings/kind")) as answer:
            page.goto(url)
        assert answer.value.status == 403
        page.wait_for_load_state()
        assert "another web site" in page.inner_text("body")
    # The same request from the app's own page gets past the checks (the empty database
    # has no person 1, which is the answer's 400).
    page.goto(f"{server}/settings")
    status = page.evaluate(
        """token => fetch("/settings/kind", {method: "POST", body: new URLSearchParams(
               {csrf_token: token, person_id: "1", kind: "child"})}).then(r => r.status)""",
        token,
    )
    assert status == 400
    context.close()


def test_a_name_pointed_at_this_computer_reads_nothing(browser: Any, filled_server: str) -> None:
    port = filled_server.rsplit(":", 1)[1]
    # A second Chromium whose resolver sends evil.example to 127.0.0.1, as a rebinding
    # attacker's DNS would.
    rules = "--host-resolver-rules=MAP evil.example 127.0.0.1"
    rebound = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", rules]
    )
    page = rebound.new_page()
    for path in ("/", "/report", "/relationship/1/messages?topic=check_in&sender=them"):
        response = page.goto(f"http://evil.example:{port}{path}")
        assert response is not None
        assert response.status == 400
        body = page.content()
        for name in ("Alex", "Jordan", "Mallory"):
            assert name not in body
    # The same browser, at the app's own address, sees the dashboard.
    page.goto(f"{filled_server}/")
    assert "Alex" in page.content()
    rebound.close()
