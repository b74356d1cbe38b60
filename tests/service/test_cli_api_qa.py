"""A QA pass's findings on the API: the notes and messages in the dashboard's words, the JSON export as the
`gait analyze --json` document, rounded figures, Apple Health walks' steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from tests.service.conftest import synthetic_walk


def _unitless_csv(path: Path) -> Path:
    """A generic CSV whose header names no unit (seconds, m/s^2): the reader guesses the unit and says so."""
    walk = synthetic_walk(duration_s=40.0)
    rows = np.column_stack([walk.time_s, walk.acc_ms2])
    path.write_text("time,acc_x,acc_y,acc_z\n" + "\n".join(",".join(f"{v:.4f}" for v in r) for r in rows) + "\n")
    return path


def test_a_unitless_csvs_note_on_the_walk_page_says_what_the_dashboard_user_can_do(
    client: TestClient, tmp_path: Path
) -> None:
    """The upload form has no unit choice: the note says to rename the columns or convert the file with
    `gait convert --acc-unit`, not to "pass --acc-unit" to an upload."""
    path = _unitless_csv(tmp_path / "unitless.csv")
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 201, r.text
    walk = client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    note = next(n for n in walk["notes"] if "names no acceleration unit" in n)
    assert "name the columns with their unit (e.g. acc_x_g)" in note, note
    assert "convert the file with gait convert --acc-unit ms2|g|mg and upload the converted file" in note, note
    assert "pass --acc-unit" not in note


def test_an_upload_refusal_for_a_units_hint_says_convert(client: TestClient, tmp_path: Path) -> None:
    """A reader's refusal whose remedy is a unit option says how the dashboard user can give it."""
    path = tmp_path / "odd.csv"
    path.write_text("time,acc_x,acc_y,acc_z\n" + "".join(f"{i * 50_000_000_000},0.1,0.2,9.8\n" for i in range(500)))
    with path.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "e.g. 'time_s' or 'time_ms'" in detail and "gait convert --time-unit" in detail, detail
    assert "or pass --time-unit" not in detail
