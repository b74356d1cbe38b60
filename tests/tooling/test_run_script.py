"""``./run``'s set-up step: skipped when nothing changed, done again when pyproject.toml or the checkout changes.

The script is run for real (bash) in a scratch checkout holding a copy of ``run`` and ``pyproject.toml``, with a
stand-in venv whose ``python`` logs what it is asked (pip installs) and whose ``gait`` does nothing: the set-up logic
is the script's own, only the installs are not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOGGING = '#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "$RUN_LOG"\n'


def _checkout(where: Path, venv: Path) -> Path:
    where.mkdir(parents=True)
    shutil.copy2(REPO / "run", where / "run")
    shutil.copy2(REPO / "pyproject.toml", where / "pyproject.toml")
    (where / ".venv").symlink_to(venv)
    return where


def _venv(where: Path) -> Path:
    (where / "bin").mkdir(parents=True)
    for name in ("python", "gait"):
        script = where / "bin" / name
        script.write_text(LOGGING)
        script.chmod(0o755)
    return where


def _demo(checkout: Path, log: Path) -> list[str]:
    """Run ``./run demo`` there; the commands the stand-in venv received."""
    log.write_text("")
    done = subprocess.run(
        ["bash", str(checkout / "run"), "demo", "--port", "1"],
        env={"PATH": os.environ["PATH"], "RUN_LOG": str(log), "HOME": str(checkout)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return log.read_text().splitlines()


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("python3") is None, reason="needs bash and python3")
def test_set_up_runs_once_per_checkout_and_again_for_another_checkout_or_a_changed_project(tmp_path: Path) -> None:
    log = tmp_path / "log"
    venv = _venv(tmp_path / "venv")
    first = _checkout(tmp_path / "first", venv)
    installs = [c for c in _demo(first, log) if "pip install" in c and "-e ." in c]
    assert len(installs) == 1
    # again, nothing changed: no install, straight to the demo
    again = _demo(first, log)
    assert not [c for c in again if "pip install" in c] and again[-1].startswith("gait serve --live-demo")
    # the same venv used from another checkout (a copied clone, a shared venv): the editable install would run the
    # other folder's code, so it is installed again
    other = _checkout(tmp_path / "other", venv)
    assert [c for c in _demo(other, log) if "pip install" in c and "-e ." in c]
    # a changed pyproject.toml (a new dependency): installed again
    with (first / "pyproject.toml").open("a") as f:
        f.write("\n# changed\n")
    assert [c for c in _demo(first, log) if "pip install" in c and "-e ." in c]
