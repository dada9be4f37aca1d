"""Rendering pages: the Jinja2 environment (autoescape on), the CSRF cookie, HTMX fragments.

Templates are looked up in the web app's folder first, then the report's, so the web pages
reuse the report's relationship partial. Every page gets ``csrf`` and ``csrf_field`` for its
forms and ``people`` (known names, for the person fields' suggestions) when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, PackageLoader

from reciprocity import report, words
from reciprocity.web.security import CSRF_COOKIE, CSRF_FIELD, csrf_token

__all__ = ["Pages", "is_htmx"]


def is_htmx(request: Request) -> bool:
    """True when HTMX sent the request (it wants a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def _signed(value: int | None) -> str:
    """An energy as people write it: "+1", "0", "-2" ("–" when not noted)."""
    if value is None:
        return "–"
    return f"{int(value):+d}" if value else "0"


class Pages:
    """Renders templates into responses that carry this browser's CSRF cookie."""

    def __init__(self) -> None:
        env = report.environment()
        env.loader = ChoiceLoader(
            [PackageLoader("reciprocity.web", "templates"), PackageLoader("reciprocity.report")]
        )
        env.filters["signed"] = _signed
        env.filters["app"] = words.app
        # Query values built from names in imported files: quoted, so they stay one value.
        env.filters["q"] = lambda value: quote(str(value), safe="")
        self.env = env
        #: Functions adding to every page's context (the undo line, the demo label).
        self.extras: list[Callable[[Request], dict[str, Any]]] = []

    def page(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """``template`` rendered with ``context``, the CSRF token and the current path."""
        token = csrf_token(request)
        shared: dict[str, Any] = {}
        for extra in self.extras:
            shared |= extra(request)
        html = self.env.get_template(template).render(
            request=request,
            csrf=token,
            csrf_field=CSRF_FIELD,
            here=request.url.path,
            **(shared | context),
        )
        response = HTMLResponse(html, status_code=status)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response
