"""Ctrl-C in ``gait``: one line and exit code 130, never a traceback, whether it comes while a command runs or while
the command line is still loading (its imports take about a second)."""

from __future__ import annotations

import importlib.abc
import sys
import tomllib
from pathlib import Path

import pytest

from service import console

REPO = Path(__file__).resolve().parents[1]


class _InterruptedImport(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when ``name`` is imported, as a Ctrl-C during that import does."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname == self.name:
            raise KeyboardInterrupt


def test_the_console_script_is_the_entry_that_catches_an_early_ctrl_c() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["gait"] == "service.console:main"


def test_ctrl_c_while_the_command_line_loads_says_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "service.cli", raising=False)
    monkeypatch.delattr(sys.modules["service"], "cli", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_InterruptedImport("service.cli"), *sys.meta_path])
    assert console.main() == 130
    assert capsys.readouterr().err == "gait: interrupted\n"


def test_ctrl_c_while_a_command_runs_says_interrupted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(sys, "argv", ["gait", "formats"])
    monkeypatch.setattr(importlib.import_module("service.commands.formats"), "run", interrupted)
    assert console.main() == 130
    assert capsys.readouterr().err == "gait: interrupted\n"
