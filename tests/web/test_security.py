"""CSRF, security headers and the loopback rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reciprocity.web import NotLoopback, check_host
from reciprocity.web.security import CSRF_COOKIE


@pytest.mark.parametrize("url", ["/", "/import", "/settings", "/static/app.css"])
def test_every_response_has_a_strict_policy(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script(client: TestClient) -> None:
    for url in ("/", "/import", "/settings"):
        body = client.get(url).text
        assert "<script>" not in body
        assert " style=" not in body
        assert " onclick=" not in body


def test_post_without_token_is_refused(client: TestClient) -> None:
    response = client.post("/import", files={"export": ("a.txt", b"x")})
    assert response.status_code == 403


def test_post_with_a_wrong_token_is_refused(client: TestClient, csrf: str) -> None:
    assert csrf
    response = client.post(
        "/settings/kind", data={"csrf_token": "x" * 43, "person_id": "1", "kind": "friend"}
    )
    assert response.status_code == 403


def test_token_in_the_header_is_accepted(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/settings/kind",
        data={"person_id": "999", "kind": "friend"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code != 403  # past CSRF; the unknown person is a 400


def test_cookie_is_strict_and_http_only(client: TestClient) -> None:
    cookie = client.get("/").headers["set-cookie"]
    assert CSRF_COOKIE in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    check_host(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_other_hosts_are_refused(host: str) -> None:
    with pytest.raises(NotLoopback, match="refusing"):
        check_host(host)
    # Server mode (accounts) listens there only with HTTPS: its own, or a proxy's.
    with pytest.raises(NotLoopback, match="plain HTTP"):
        check_host(host, server=True)
    check_host(host, server=True, tls=True)
    check_host(host, server=True, behind_proxy=True)
