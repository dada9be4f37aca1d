"""Local web app: FastAPI, server-rendered Jinja2 templates, HTMX (vendored, no CDN).

Stage in the pipeline: a surface. Routes only translate: figures come from
:func:`reciprocity.report.gather` (the pipeline's analysis), imports go through
:func:`reciprocity.pipeline.import_file`. :mod:`.app` builds the app
(:func:`create_app`), :mod:`.security` holds CSRF, headers and the loopback rule,
:mod:`.guard` the host, origin and size checks made before a body is read,
:mod:`.imports` the workers that run uploads' imports, :mod:`.serve` runs it with uvicorn.
Server mode (accounts): :mod:`.sessions` binds each request to its signed-in account,
:mod:`.accounts_state` gives it that account's own store, :mod:`.login_pages` signs in and out.
"""

from reciprocity.web.app import MAX_UPLOAD_BYTES, create_app
from reciprocity.web.security import NotLoopback, check_host
from reciprocity.web.serve import serve

__all__ = ["MAX_UPLOAD_BYTES", "NotLoopback", "check_host", "create_app", "serve"]
