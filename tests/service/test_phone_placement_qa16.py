"""QA16: a phone app's export analysed without a placement took the profile's usual lower-back placement (a
sensor's), and its strides came out trusted by the lower-back model. Where no phone is carried, a phone's export
takes a pocket, saying so and how to choose; the dashboard's upload and gait analyze decide alike.

The tester's file (sensor_logger_android_header_edited/Longwalking.csv) had its header edited by its owner: the
readers take it for a generic CSV, which says nothing of a phone. A phyphox export they recognise is used here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cli import main as gait_main
from service.settings import Settings
from tests.service.conftest import LOOPBACK

REPO = Path(__file__).resolve().parents[2]
PHONE = REPO.parent / "shared" / "data" / "dev" / "phone_exports" / "phyphox_acc_gyro_dfb_lab" / "Accelerometer_2.csv"
pytestmark = pytest.mark.skipif(not PHONE.exists(), reason=f"shared recording not here: {PHONE}")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The dashboard on the data folder gait analyze reads the profile from."""
    with TestClient(create_app(settings), base_url=LOOPBACK) as c:
        yield c


def _upload_without_placement(client: TestClient) -> dict:
    with PHONE.open("rb") as fh:
        r = client.post("/api/uploads", files={"file": (PHONE.name, fh)})
    assert r.status_code == 201, r.text
    return client.get(f"/api/walks/{r.json()['walks'][0]['id']}").json()


@pytest.mark.parametrize("usual", ["lower_back", "foot"])
def test_a_phone_export_does_not_take_a_sensors_usual_placement(client: TestClient, usual: str) -> None:
    assert client.put("/api/profile", json={"placement": usual}).status_code == 200
    walk = _upload_without_placement(client)
    assert walk["placement"] == "pocket", walk["placement"]
    note = walk["notes"][0]
    assert note.startswith(f"placement pocket assumed, not your profile's usual {usual}: "), note
    assert "phone app's recording" in note and 'choose it under "Where was the sensor worn?" when uploading' in note
    assert '"Worn elsewhere? Analyse as another placement" on the walk\'s page' in note, note


def test_a_phone_export_takes_a_usual_placement_a_phone_is_carried_at(client: TestClient) -> None:
    assert client.put("/api/profile", json={"placement": "waist"}).status_code == 200  # a belt holster, a handbag
    walk = _upload_without_placement(client)
    assert walk["placement"] == "waist" and not any(n.startswith("placement") for n in walk["notes"]), walk["notes"]


def test_gait_analyze_decides_as_the_dashboard(
    client: TestClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert client.put("/api/profile", json={"placement": "lower_back"}).status_code == 200
    assert gait_main(["analyze", str(PHONE), "--data-dir", str(settings.data_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "recorded, placement pocket " in out, out
    assert "placement pocket assumed, not your profile's usual lower_back: this is a phone app's recording" in out
    assert "if the phone was elsewhere, pass --placement lower_back|waist|foot|pocket|" in out, out
