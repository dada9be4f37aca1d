"""The allocator set-up the CLI does before Polars loads."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reciprocity.cli import allocator


def test_polars_allocator_settings_are_a_default_the_user_can_override(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("_RJEM_MALLOC_CONF", raising=False)
    allocator.set_up_polars()
    ours = os.environ["_RJEM_MALLOC_CONF"]
    assert "dirty_decay_ms:100" in ours
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "narenas:4")
    allocator.set_up_polars()
    assert os.environ["_RJEM_MALLOC_CONF"] == "narenas:4"


def test_the_cli_sets_up_polars_before_polars_loads() -> None:
    code = (
        "import os, sys\n"
        "os.environ.pop('_RJEM_MALLOC_CONF', None)\n"
        "import reciprocity.cli\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    # Polars puts its own defaults in front of what it finds; the later ones win.
    assert shown.strip().endswith("dirty_decay_ms:100,muzzy_decay_ms:0")
