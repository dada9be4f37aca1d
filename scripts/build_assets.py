"""Vendor the web app's browser files from the npm registry into the package.

Run by ``make assets``: ``npm ci`` in ``assets/`` (versions pinned by its package-lock.json),
then copies each file below into ``src/reciprocity/web/static/vendor/``. The copies are
committed, so tests and users never need npm; no page loads anything from a CDN.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
VENDOR = ROOT / "src" / "reciprocity" / "web" / "static" / "vendor"

#: (file inside node_modules, name in the vendor folder)
FILES = (
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("htmx.org/LICENSE", "htmx.LICENSE"),
)


def main() -> int:
    """Install the pinned packages and copy the files; returns the exit status."""
    npm = shutil.which("npm")
    if npm is None:
        print("npm is not installed; the vendored files in the package are still usable.")
        return 1
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ASSETS, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, name in FILES:
        shutil.copyfile(ASSETS / "node_modules" / source, VENDOR / name)
        print(f"vendored {source} -> {(VENDOR / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
