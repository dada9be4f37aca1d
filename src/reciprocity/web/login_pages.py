"""Server mode's sign-in pages: sign in, sign out, sign out everywhere, the account page.

- ``GET /login``, ``POST /login``: a name and a password, checked by the registry
  (argon2), with failures limited per name and per address (:class:`LoginLimits`). A
  success sets the session cookie: HttpOnly, ``SameSite=Strict``, ``Secure`` when the
  page came over HTTPS or the server was told it is behind TLS, and lasting
  :data:`~reciprocity.accounts.SESSION_HOURS` hours.
- ``POST /logout``: ends this browser's session; ``POST /logout/everywhere`` every
  session of the account (a phone left signed in somewhere).
- ``GET /account``: who is signed in, with those two buttons.

Every form carries the CSRF token, the sign-in form too (so no other site can sign a
browser into an account of its choosing).
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reciprocity.accounts import SESSION_HOURS, LoginLimits, Registry
from reciprocity.web.accounts_state import AccountStates
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.sessions import SESSION_COOKIE

__all__ = ["routes", "safe_next"]

_WRONG = "That name and password do not match an account. Check both and try again."


def safe_next(target: str) -> str:
    """Where to go after signing in: a path of this site only, else the dashboard.

    >>> safe_next("/relationship/3"), safe_next("//elsewhere.example/"), safe_next("https://x")
    ('/relationship/3', '/', '/')
    """
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def routes(
    registry: Registry, states: AccountStates, pages: Pages, limits: LoginLimits, *, secure: bool
) -> APIRouter:
    """The sign-in routes of a server whose accounts are in ``registry``."""
    router = APIRouter()

    def sign_in_page(
        request: Request, *, name: str = "", target: str = "/", error: str = "", status: int = 200
    ) -> Response:
        return pages.page(
            request,
            "login.html",
            status,
            name=name,
            next=safe_next(target),
            error=error,
            bare=True,
        )

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> Response:
        if states.signed() is not None:
            return RedirectResponse(safe_next(next), status_code=303)
        return sign_in_page(request, target=next)

    @router.post("/login", dependencies=[Depends(csrf_protect)])
    def login(
        request: Request, name: str = Form(""), password: str = Form(""), next: str = Form("/")
    ) -> Response:
        address = _address(request)
        wait = limits.wait(name, address)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            return sign_in_page(
                request,
                name=name,
                target=next,
                error=f"Too many tries that did not match. Wait {minutes} minute"
                f"{'s' if minutes > 1 else ''}, then try again.",
                status=429,
            )
        account = registry.verify(name, password)
        if account is None:
            limits.failed(name, address)
            return sign_in_page(request, name=name, target=next, error=_WRONG, status=401)
        limits.succeeded(name)
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            registry.end_session(old)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            registry.open_session(account),
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="strict",
            secure=secure or request.url.scheme == "https",
            path="/",
        )
        return response

    def signed_out(request: Request) -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(
            SESSION_COOKIE,
            httponly=True,
            samesite="strict",
            secure=secure or request.url.scheme == "https",
            path="/",
        )
        return response

    @router.post("/logout", dependencies=[Depends(csrf_protect)])
    def logout(request: Request) -> Response:
        registry.end_session(request.cookies.get(SESSION_COOKIE, ""))
        return signed_out(request)

    @router.post("/logout/everywhere", dependencies=[Depends(csrf_protect)])
    def logout_everywhere(request: Request) -> Response:
        signed = states.signed()
        if signed is not None:
            registry.end_sessions(signed.account)
        return signed_out(request)

    @router.get("/account", response_class=HTMLResponse)
    def account_page(request: Request) -> Response:
        return pages.page(request, "account.html", hours=SESSION_HOURS)

    pages.extras.append(lambda request: {"account": _name(states)})
    return router


def _name(states: AccountStates) -> str | None:
    signed = states.signed()
    return signed.account.name if signed is not None else None
