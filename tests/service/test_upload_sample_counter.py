"""Uploads of lab files timed by a sample counter: the form has no rate to give, so a refusal says to add the time
column (or convert the file with gait convert --rate-hz); a file stating its rate is read at that rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.store import Store
from tests.service.conftest import count_rows

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
MOBGAP_CSV = SHARED / "mobgap_lab/example_data/data_csv/HA/001/TimeMeasure1_Test5_Trial1.csv"
IPOL_LB = SHARED / "ipol_healthy_gait/GaitData/1-3_lb.txt.gz"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data not present at {SHARED}")


def _upload(client: TestClient, path: Path) -> object:
    with path.open("rb") as fh:
        return client.post("/api/uploads", files={"file": (path.name, fh)}, data={"placement": "lower_back"})


def test_a_counter_without_a_rate_is_refused_with_what_the_dashboard_user_can_do(
    client: TestClient, store: Store
) -> None:
    r = _upload(client, MOBGAP_CSV)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "'samples' counts samples" in detail and "add a column time_s = sample number / sampling rate" in detail
    assert "convert the file with gait convert --rate-hz <Hz> and upload the converted file" in detail, detail
    assert "pass --rate-hz" not in detail
    assert count_rows(store, "walks") == 0


def test_a_file_stating_its_rate_is_stored_at_that_rate_with_a_note(client: TestClient) -> None:
    r = _upload(client, IPOL_LB)
    assert r.status_code == 201, r.text
    walk = client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()
    assert walk["summary"]["duration_s"] == pytest.approx(32.63, abs=0.01)  # PacketCounter 0..3263 at 100 Hz, 3168 rows
    note = next(n for n in walk["notes"] if "the rate the file states" in n)
    assert "'Acquisition frequency: 100 Hz'" in note and "gait convert --rate-hz <Hz>" in note, note
