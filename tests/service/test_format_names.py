"""The walk page names each reader's format as the walker knows it (app.js FORMAT_NAMES), never by its id."""

from __future__ import annotations

import re

import ingest
from service.live import JOURNAL_FORMAT
from tests.service.serverproc import REPO


def format_names() -> dict[str, str]:
    """FORMAT_NAMES of the dashboard's app.js (id -> name)."""
    text = (REPO / "service" / "static" / "app.js").read_text(encoding="utf-8")
    block = re.search(r"const FORMAT_NAMES = \{(.*?)\};", text, re.S)
    assert block, "app.js has no FORMAT_NAMES"
    return dict(re.findall(r'(\w+): "([^"]+)"', block.group(1)))


def test_every_format_a_walk_can_have_is_named() -> None:
    ids = {f.name for f in ingest.list_formats()} | {"apple_health", JOURNAL_FORMAT}
    names = format_names()
    assert ids - set(names) == set(), "add these formats to FORMAT_NAMES in app.js"
    assert all(name.strip() and "_" not in name for name in names.values())
