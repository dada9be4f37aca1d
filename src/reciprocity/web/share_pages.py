"""Server mode's read-only sharing: a client shows their data to their therapist.

Only the owner of the data can share it (``POST /account/share``, naming the account that
may look), and can stop at any time (``POST /account/unshare``): the next request of the
account looking no longer reaches it, since every request checks the share
(:meth:`~reciprocity.accounts.Registry.signed_in`). The account shared with chooses to look
(``POST /viewing/start``) and goes back to its own data (``POST /viewing/stop``). While it
looks, :class:`~.sessions.AccountGate` lets through only reading the pages in
:data:`~.sessions.VIEW_PATHS`: nothing can be changed, imported, exported or downloaded
whole, and every page says whose data it is.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from reciprocity.accounts import AccountError, Registry
from reciprocity.web.accounts_state import AccountStates
from reciprocity.web.render import Pages
from reciprocity.web.security import csrf_protect
from reciprocity.web.sessions import SESSION_COOKIE

__all__ = ["routes"]


def routes(registry: Registry, states: AccountStates, pages: Pages) -> APIRouter:
    """The sharing routes of a server whose accounts are in ``registry``."""
    router = APIRouter()

    def cookie(request: Request) -> str:
        return request.cookies.get(SESSION_COOKIE, "")

    @router.post("/account/share", dependencies=[Depends(csrf_protect)])
    def share(request: Request, viewer: str = Form("")) -> Response:
        signed = states.signed()
        assert signed is not None
        try:
            registry.share(signed.account, viewer)
        except AccountError as problem:
            return pages.page(request, "account.html", 400, share_error=str(problem))
        return RedirectResponse("/account", status_code=303)

    @router.post("/account/unshare", dependencies=[Depends(csrf_protect)])
    def unshare(viewer_id: int = Form()) -> Response:
        signed = states.signed()
        assert signed is not None
        registry.unshare(signed.account, viewer_id)
        return RedirectResponse("/account", status_code=303)

    @router.post("/viewing/start", dependencies=[Depends(csrf_protect)])
    def start(request: Request, owner_id: int = Form()) -> Response:
        if not registry.view(cookie(request), owner_id):
            raise HTTPException(404, "Nobody with this number shares their data with you.")
        return RedirectResponse("/", status_code=303)

    @router.post("/viewing/stop", dependencies=[Depends(csrf_protect)])
    def stop(request: Request) -> Response:
        registry.view(cookie(request), None)
        return RedirectResponse("/", status_code=303)

    def sharing(request: Request) -> dict[str, object]:
        signed = states.signed()
        if signed is None or request.url.path != "/account":
            return {"viewing": signed.viewing.name if signed and signed.viewing else None}
        return {
            "viewing": signed.viewing.name if signed.viewing else None,
            "shared_with": registry.viewers(signed.account),
            "shared_to_me": registry.owners(signed.account),
        }

    pages.extras.append(sharing)
    return router
