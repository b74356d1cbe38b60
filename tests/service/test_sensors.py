"""Live walks from Bluetooth LE sensors through the API, on the virtual radio (no hardware, no BlueZ).

The virtual radio's demo sensors replay a synthetic walk at exactly 1.8 steps/s (cadence 108 steps/min) ten times
faster than real time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bleak.backends.scanner import BaseBleakScanner
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason
from fastapi.testclient import TestClient

from ingest.ble.virtual import DEMO_SENSOR_NAMES, PROTOCOLS, SensorFaults, VirtualSensor
from service.app import create_app
from service.demo import VIRTUAL_SOURCE_OPTIONS, BleAccess
from service.deps import get_ble
from service.settings import Settings
from tests.service.conftest import LOOPBACK, count_rows, synthetic_walk, write_walk_csv
from tests.service.serverproc import REPO

pytestmark = pytest.mark.timeout(30)
STEP_HZ = 1.8
"""Steps per second of the replayed walk (write_walk_csv's default): cadence 108 steps/min."""


@pytest.fixture
def samples_dir(tmp_path: Path) -> Path:
    samples = tmp_path / "samples"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=60.0, step_hz=STEP_HZ)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back"}))
    return samples


@pytest.fixture
def virtual(tmp_path: Path, samples_dir: Path) -> Iterator[TestClient]:
    """The service with virtual Bluetooth (GAIT_BLE_VIRTUAL=1), demo sensors replaying at 10x."""
    settings = Settings(
        data_dir=tmp_path / "data", demo=False, samples_dir=samples_dir, demo_speed=10, ble_virtual=True
    )
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        yield client


def feed_until(client: TestClient, predicate: Any, *, start: Any = None) -> list[dict[str, Any]]:
    """Read the SSE feed (after calling ``start()``) until ``predicate(messages)`` holds; returns the messages."""
    messages: list[dict[str, Any]] = []
    with client.stream("GET", "/api/live/feed") as feed:
        if start is not None:
            start()
        event = None
        for line in feed.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                msg = json.loads(line[6:])
                assert msg["type"] == event
                messages.append(msg)
                if predicate(messages):
                    return messages
    raise AssertionError(f"the feed ended early: {messages[-3:]}")


def test_scan_lists_the_virtual_sensors(virtual: TestClient) -> None:
    r = virtual.get("/api/sensors", params={"seconds": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["virtual"] is True and body["seconds"] == 1
    # one demo sensor per protocol, strongest signal first (the radio places them 8 dB apart)
    assert [s["name"] for s in body["sensors"]] == [DEMO_SENSOR_NAMES[p] for p in PROTOCOLS]
    rssi = [s["rssi_dbm"] for s in body["sensors"]]
    assert rssi == sorted(rssi, reverse=True)
    imu = body["sensors"][0]
    assert imu["protocols"] == ["imu"] and "IMU stream" in imu["supports"]
    assert body["sensors"][3]["protocols"] == ["rsc"] and "foot pod" in body["sensors"][3]["supports"]
    # the virtual sensors advertise every 50 ms: a longer scan is cut to 1 s, and the answer says so
    assert virtual.get("/api/sensors", params={"seconds": 15}).json()["seconds"] == 1
    for bad in (0, 0.5, 16, "x"):
        assert virtual.get("/api/sensors", params={"seconds": bad}).status_code == 422, bad


def test_sensor_walk_strides_are_stored_and_fed(virtual: TestClient) -> None:
    sensors = virtual.get("/api/sensors", params={"seconds": 1}).json()["sensors"]
    imu = next(s for s in sensors if s["protocols"] == ["imu"])
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": imu["address"], "placement": "lower_back"}))

    messages = feed_until(virtual, lambda ms: sum(m["type"] == "stride" for m in ms) >= 8, start=start)
    assert started[0].status_code == 202 and started[0].json()["running"] is True
    walk_id = started[0].json()["walk_id"]
    # a second walk cannot start while this one is live
    assert virtual.post("/api/live/sensor", json={"target": imu["address"]}).status_code == 409
    assert virtual.post("/api/live/demo", json={}).status_code == 409
    status = virtual.get("/api/live").json()
    assert status["running"] and status["walk_id"] == walk_id
    assert status["sensor"]["protocol"] == "imu" and status["sensor"]["address"] == imu["address"]
    assert status["state"]["phase"] == "streaming" and status["state"]["samples"] > 0
    streaming = [m for m in messages if m["type"] == "state" and m["phase"] == "streaming"]
    assert streaming and streaming[0]["sensor"]["name"] == imu["name"]  # the feed names the sensor it streams
    fed = [m for m in messages if m["type"] == "stride"]
    assert all(m["walk_id"] == walk_id for m in fed)
    assert np.median([m["cadence_spm"] for m in fed]) == pytest.approx(60 * STEP_HZ, rel=0.03)

    stopped = virtual.post("/api/live/stop").json()
    assert stopped["running"] is False and stopped["state"]["phase"] == "ended"
    assert stopped["state"]["error"] is None
    stored = virtual.get(f"/api/walks/{walk_id}/strides").json()
    # every stride the feed delivered is stored, in order, with the same times
    assert len(stored) >= len(fed)
    assert [s["start_s"] for s in stored[: len(fed)]] == pytest.approx([m["start_s"] for m in fed])
    walk = virtual.get(f"/api/walks/{walk_id}").json()
    assert walk["origin"] == "live" and walk["status"] == "complete" and walk["format"] == "ble"
    assert walk["name"] == f"Live: {imu['name']}" and walk["placement"] == "lower_back"
    assert walk["source"]["sensor"]["address"] == imu["address"] and walk["source"]["sensor"]["virtual"] is True
    assert walk["demo"] is True  # a virtual sensor replays a sample: never the walker's own walking
    assert walk["summary"]["strides"] == len(stored) == count_rows(virtual.app.state.store, "strides")
    assert walk["summary"]["cadence_spm"] == pytest.approx(60 * STEP_HZ, rel=0.03)


def test_unknown_sensor_is_a_clear_404_and_stores_nothing(virtual: TestClient) -> None:
    r = virtual.post("/api/live/sensor", json={"target": "Absent sensor", "placement": "foot"})
    assert r.status_code == 404
    detail = r.json()["detail"]
    assert "no sensor 'Absent sensor' found" in detail  # what is wrong
    assert "GaitDemo" in detail  # what was seen instead
    assert "switch it on" in detail  # and what to do
    assert virtual.get("/api/walks").json() == []
    assert virtual.get("/api/live").json()["running"] is False
    bad = virtual.post("/api/live/sensor", json={"target": "GaitDemo", "protocol": "bluetooth-magic"})
    assert bad.status_code == 422


def test_two_sensors_with_one_name_ask_for_the_address(virtual: TestClient) -> None:
    radio = virtual.app.state.ble.radio
    twins = [VirtualSensor(synthetic_walk(duration_s=5.0), protocol="imu", name="Twin") for _ in range(2)]
    for twin in twins:
        virtual.portal.call(radio.add_sensor, twin)
    r = virtual.post("/api/live/sensor", json={"target": "Twin"})
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert "2 sensors are called 'Twin'" in detail and "pass the address" in detail
    assert all(t.address in detail for t in twins)
    assert virtual.get("/api/walks").json() == []


def test_session_error_reaches_the_feed_and_the_status(virtual: TestClient) -> None:
    """A sensor that is found but never sends: the walk ends with the reason in the feed and in GET /api/live."""
    radio = virtual.app.state.ble.radio
    silent = VirtualSensor(
        synthetic_walk(duration_s=5.0), protocol="imu", name="Silent", faults=SensorFaults(never_send=True)
    )
    virtual.portal.call(radio.add_sensor, silent)  # the radio lives on the app's event loop
    quick = {**VIRTUAL_SOURCE_OPTIONS, "first_data_timeout_s": 0.5, "clock_sync": False}
    # the backend is injectable: the same radio, with a shorter wait for the first data
    virtual.app.dependency_overrides[get_ble] = lambda: BleAccess(
        radio.scanner_backend, radio.client_backend, radio=radio, source_options=quick, max_scan_s=1.0
    )
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": "Silent"}))

    messages = feed_until(virtual, lambda ms: ms[-1]["type"] == "hub" and bool(ms[-1].get("ended")), start=start)
    assert started[0].status_code == 202
    ended = [m for m in messages if m["type"] == "state" and m["phase"] == "ended"]
    assert len(ended) == 1 and "sent no data" in ended[0]["error"]
    errors = [m for m in messages if m["type"] == "error"]
    assert len(errors) == 1 and "sent no data" in errors[0]["message"]
    assert messages[-1]["ended"] == "interrupted"
    status = virtual.get("/api/live").json()
    assert status["running"] is False
    assert status["state"]["phase"] == "ended" and "sent no data" in status["state"]["error"]
    assert status["sensor"]["name"] == "Silent"
    # a walk that ended before its sensor sent anything is no walk: nothing is stored (QA: an empty "Live: Mute
    # interrupted" of 0 strides and 0 s stayed in the walk list); the error stays in the status and the feed
    assert messages[-1]["discarded"] is True and messages[-1]["recorded"] is False
    assert virtual.get("/api/walks").json() == []


def test_link_loss_shows_reconnecting_lost_packets_and_the_walk_goes_on(virtual: TestClient) -> None:
    """A sensor that loses every 7th packet and drops the link once: the same walk continues after a reconnect."""
    radio = virtual.app.state.ble.radio
    faults = SensorFaults(drop_every=7, drop_link_after_s=8.0, link_down_s=0.3)
    flaky = VirtualSensor(synthetic_walk(duration_s=60.0), protocol="imu", name="Flaky", speed=10, faults=faults)
    virtual.portal.call(radio.add_sensor, flaky)
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": "Flaky"}))

    def back_and_striding(ms: list[dict[str, Any]]) -> bool:
        phases = [i for i, m in enumerate(ms) if m["type"] == "state" and m["phase"] == "reconnecting"]
        return bool(phases) and sum(m["type"] == "stride" for m in ms[phases[0] :]) >= 3

    messages = feed_until(virtual, back_and_striding, start=start)
    walk_id = started[0].json()["walk_id"]
    phases = [m["phase"] for m in messages if m["type"] == "state"]
    first_drop = phases.index("reconnecting")
    assert "streaming" in phases[:first_drop] and "streaming" in phases[first_drop:]
    gaps = [m for m in messages if m["type"] == "gap"]
    assert gaps and sum(g["lost_packets"] for g in gaps) > 0
    status = virtual.get("/api/live").json()
    assert status["running"] and status["walk_id"] == walk_id  # the same walk, not a new one
    assert status["state"]["lost_packets"] > 0 and status["state"]["gaps"] >= len(gaps)
    virtual.post("/api/live/stop")
    assert [w["id"] for w in virtual.get("/api/walks").json()] == [walk_id]
    # the stored walk keeps its link's drop and lost packets and says so, as a `gait live` walk does (QA18 #2)
    walk = virtual.get(f"/api/walks/{walk_id}").json()
    assert walk["status"] != "live" and walk["ended"] == "stopped by you"
    lost = walk["source"]["lost_packets"]
    assert lost >= status["state"]["lost_packets"] and walk["source"]["gaps"] >= status["state"]["gaps"]
    (note,) = [n for n in walk["notes"] if n.startswith("the link to the sensor dropped once and came back")]
    assert note.endswith(f" s without samples), {lost} packets lost"), note


class NoAdapterScanner(BaseBleakScanner):
    """A bleak scanner backend on a computer without Bluetooth (what bleak raises there)."""

    def __init__(self, detection_callback: Any, service_uuids: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        raise BleakBluetoothNotAvailableError(
            "No Bluetooth adapters found.", BleakBluetoothNotAvailableReason.NO_BLUETOOTH
        )

    async def stop(self) -> None:
        return None


def test_no_bluetooth_is_a_503_with_advice(client: TestClient) -> None:
    client.app.dependency_overrides[get_ble] = lambda: BleAccess(scanner_backend=NoAdapterScanner)
    for r in (
        client.get("/api/sensors", params={"seconds": 1}),
        client.post("/api/live/sensor", json={"target": "AA:BB:CC:DD:EE:FF", "placement": "lower_back"}),
    ):
        assert r.status_code == 503
        detail = r.json()["detail"]
        assert detail.startswith("Bluetooth is not available")
        assert "No Bluetooth adapters found" in detail  # what is wrong
        assert "switched on" in detail  # what to do
        assert "demo walk" in detail  # and what works without hardware
    assert client.get("/api/walks").json() == []


class NoBlueZScanner(NoAdapterScanner):
    """A Linux computer without the bluetooth service: bleak's D-Bus connection finds no socket."""

    async def start(self) -> None:
        raise FileNotFoundError(2, "No such file or directory")


def test_no_bluetooth_service_is_said_in_words_with_one_hint(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.app.dependency_overrides[get_ble] = lambda: BleAccess(scanner_backend=NoBlueZScanner)
    with caplog.at_level(logging.INFO, logger="ingest.ble.sources"):
        r = client.get("/api/sensors", params={"seconds": 1})
    # the server's terminal says the cause in words before the technical detail (QA28: it showed only
    # "Bluetooth scan failed: FileNotFoundError(2, 'No such file or directory')")
    logged = [rec.getMessage() for rec in caplog.records if "scan failed" in rec.getMessage()]
    assert logged and logged[0].startswith("Bluetooth scan failed (the system's Bluetooth service cannot be reached)")
    assert r.status_code == 503
    detail = r.json()["detail"]
    assert "Bluetooth service cannot be reached" in detail
    assert "Error" not in detail and "Errno" not in detail, detail  # no exception names leaked to the page
    assert detail.count("without") == 1 and "gait live" not in detail, detail  # the dashboard's hint, once


def test_no_bluetooth_on_the_command_line_gets_its_own_hint(monkeypatch, capsys) -> None:
    from bleak import BleakScanner

    from service.cli import main

    async def no_bluez(*_args: Any, **_kwargs: Any) -> Any:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(BleakScanner, "discover", no_bluez)
    assert main(["scan", "--seconds", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Bluetooth service cannot be reached" in err and "Errno" not in err, err
    assert err.count("without") == 1 and "'gait live --demo' works without hardware" in err, err


def test_virtual_bluetooth_is_off_unless_asked_for(tmp_path: Path) -> None:
    assert Settings.from_env({}).ble_virtual is False
    assert Settings.from_env({"GAIT_BLE_VIRTUAL": "1"}).ble_virtual is True
    assert Settings.from_env({"GAIT_BLE_VIRTUAL": "off"}).ble_virtual is False
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=tmp_path / "none")
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        ble = client.app.state.ble
        assert ble.virtual is False and ble.scanner_backend is None and ble.client_backend is None


def test_a_shoe_side_for_a_sensor_not_on_a_shoe_is_refused_and_stores_nothing(virtual: TestClient) -> None:
    r = virtual.post("/api/live/sensor", json={"target": "GaitDemo IMU", "placement": "lower_back", "side": "left"})
    assert r.status_code == 422
    assert "choose placement foot" in json.dumps(r.json()["detail"])
    assert virtual.post("/api/live/sensor", json={"target": "x", "placement": "foot", "side": "up"}).status_code == 422
    assert virtual.get("/api/walks").json() == []
    assert virtual.get("/api/live").json()["running"] is False


def test_a_foot_pod_alone_streams_and_stores_its_own_figures(virtual: TestClient) -> None:
    """An RSC foot pod sends its own speed, cadence and stride length (no samples): the walk shows and stores them,
    and says so, instead of an empty "complete" walk."""
    sensors = virtual.get("/api/sensors", params={"seconds": 1}).json()["sensors"]
    pod = next(s for s in sensors if s["protocols"] == ["rsc"])
    started: list[Any] = []

    def start() -> None:
        started.append(virtual.post("/api/live/sensor", json={"target": pod["address"], "placement": "foot"}))

    def walking_pods(ms: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [m for m in ms if m["type"] == "pod" and m["cadence_spm"] > 0]

    messages = feed_until(virtual, lambda ms: len(walking_pods(ms)) >= 4, start=start)
    assert started[0].status_code == 202
    walk_id = started[0].json()["walk_id"]
    pods = walking_pods(messages)
    # the pod replays the sample's walk: 108 steps/min, as the feed shows it live
    assert pods[-1]["cadence_spm"] == pytest.approx(60 * STEP_HZ, abs=3)
    assert pods[-1]["walk_distance_m"] > 0 and pods[-1]["stride_length_m"] > 0
    virtual.post("/api/live/stop")
    walk = virtual.get(f"/api/walks/{walk_id}").json()
    summary = walk["summary"]
    assert walk["status"] == "complete" and "foot pod" in walk["reason"].lower()  # the walk page says why
    assert any("foot pod (RSC)" in n for n in walk["notes"]), walk["notes"]
    assert summary["strides"] is None and summary["cadence_spm"] == pytest.approx(60 * STEP_HZ, abs=3)
    strides = [p["stride_length_m"] for p in pods]
    assert min(strides) - 0.01 <= summary["stride_length_m"] <= max(strides) + 0.01
    # the distance is the pod's odometer walked since the walk started
    assert summary["distance_m"] >= pods[-1]["walk_distance_m"] > 0
    assert summary["steps"] > 0
    # a pod gets no stride coaching: its walk says so, not "coached as if you had reported back pain"
    reasons = walk["coaching"]["reasons"]
    assert reasons[0].startswith("No stride coaching on this walk: a foot pod (RSC)"), reasons
    assert not any("coached as if" in r.lower() for r in reasons), reasons
    assert walk["coaching"]["active"] is False


def test_a_foot_pod_walk_cut_by_a_crash_keeps_the_pods_figures(store: Any, tmp_path: Path) -> None:
    from service.livehub import recover_interrupted
    from service.store import NewWalk

    journal = tmp_path / "journal"
    journal.mkdir()
    walk_id = store.start_live_walk(NewWalk(name="pod", origin="live", placement="foot"))
    # what the session's sidecar held when the process was killed (a pod alone journals no samples)
    pod = {
        "steps": 180,
        "strides": None,
        "cadence_spm": 108.0,
        "stride_length_m": 1.3,
        "distance_m": 117.0,
        "walking_time_s": 100.0,
        "duration_s": 104.0,
    }
    (journal / f"walk-{walk_id}.json").write_text(json.dumps({"session_id": f"walk-{walk_id}", "pod": pod}))
    recover_interrupted(store, journal)
    walk = store.get_walk(walk_id)
    assert walk["status"] == "interrupted" and "foot pod" in walk["reason"].lower()
    assert walk["distance_m"] == 117.0 and walk["stride_length_m"] == 1.3 and walk["cadence_spm"] == 108.0


def test_pod_tally_counts_each_measurement_for_the_time_since_the_one_before() -> None:
    from ingest.ble.protocols import RscMeasurement
    from service.live import POD_MAX_INTERVAL_S, PodTally

    tally = PodTally()
    # standing at the first report (it starts the clock), then five reports of walking at 120 steps/min with 1.2 m
    # strides (the odometer 1.2 m further each second), one of standing, then a report of walking at 100 steps/min
    # half a second later and one more after a long silence (a gap: it stands for the cap only)
    tally.add(RscMeasurement(0.0, 0.0, None, 100.0), 0.0)
    for t in range(1, 6):
        tally.add(RscMeasurement(1.2, 120.0, 1.2, 100.0 + 1.2 * t), float(t))
    tally.add(RscMeasurement(0.0, 0.0, None, 106.0), 6.0)
    tally.add(RscMeasurement(1.0, 100.0, 1.0, 106.0), 6.5)
    tally.add(RscMeasurement(1.0, 100.0, 1.0, 106.0), 6.5 + 60.0)
    summary = tally.summary()
    walking_s = 5.0 + 0.5 + POD_MAX_INTERVAL_S
    assert summary["walking_time_s"] == pytest.approx(walking_s)
    steps = 120 * 5 / 60 + 100 * (0.5 + POD_MAX_INTERVAL_S) / 60
    assert summary["steps"] == round(steps)
    assert summary["cadence_spm"] == pytest.approx(steps * 60 / walking_s, abs=0.05)
    stride_m = (1.2 * 5 + 1.0 * (0.5 + POD_MAX_INTERVAL_S)) / walking_s
    assert summary["stride_length_m"] == pytest.approx(stride_m, abs=1e-3)
    assert summary["distance_m"] == pytest.approx(6.0)  # the odometer, 100 -> 106 m
    assert summary["duration_s"] == pytest.approx(66.5) and summary["strides"] is None


def test_pod_tally_stores_what_it_said_after_its_last_report() -> None:
    """QA16 finding 6: the last report was held on until the walk ended (up to 5 s), after the live view had shown
    the walk so far without it: the stored cadence and stride length were not the ones the walker last saw."""
    from ingest.ble.protocols import RscMeasurement
    from service.live import PodTally

    tally = PodTally()
    tally.add(RscMeasurement(0.0, 0.0, None, 50.0), 0.0)
    tally.add(RscMeasurement(1.3, 108.0, 1.4, 51.4), 1.0)
    # the pod's first walking report stands for the second it measured: the walk so far has walking at once
    first = tally.summary()
    assert first["walking_time_s"] == pytest.approx(1.0)
    assert first["cadence_spm"] == pytest.approx(108.0) and first["stride_length_m"] == pytest.approx(1.4)
    tally.add(RscMeasurement(1.0, 92.0, 0.9, 52.3), 2.0)
    shown = tally.summary()
    assert shown["cadence_spm"] == pytest.approx(100.0) and shown["stride_length_m"] == pytest.approx(1.15)
    assert shown["distance_m"] == pytest.approx(2.3) and shown["duration_s"] == pytest.approx(2.0)


@pytest.fixture
def real_pod(tmp_path: Path) -> Iterator[TestClient]:
    """Virtual sensors replaying the first sample recording (a real foot sensor's walk with a turn, its cadence and
    stride length varying) at 10x: the foot pod's reports differ from one to the next."""
    settings = Settings(
        data_dir=tmp_path / "data",
        demo=False,
        samples_dir=REPO / "sample_recordings",
        demo_speed=10,
        ble_virtual=True,
    )
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        yield client


def test_a_foot_pods_walk_stopped_mid_walk_stores_the_figures_its_live_feed_showed_last(real_pod: TestClient) -> None:
    """QA16 finding 6: the live "walk so far" of a foot pod said cadence 102, stride 1.05 m; the walk stored after
    Stop said 112 and 0.93 m (the last report was held on past the figures the feed had sent)."""
    started: list[Any] = []
    stopped: list[Any] = []

    def start() -> None:
        started.append(real_pod.post("/api/live/sensor", json={"target": "FootPod demo", "placement": "foot"}))

    def walking(ms: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [m for m in ms if m["type"] == "pod" and m["cadence_spm"] > 0]

    def ended(ms: list[dict[str, Any]]) -> bool:
        if len(walking(ms)) >= 8 and not stopped:
            stopped.append(real_pod.post("/api/live/stop"))  # mid-walk: the recording walks on for 25 s more
        return ms[-1]["type"] == "hub" and bool(ms[-1].get("ended"))

    messages = feed_until(real_pod, ended, start=start)
    assert started[0].status_code == 202, started[0].text
    assert stopped[0].status_code == 200, stopped[0].text
    walk = real_pod.get(f"/api/walks/{started[0].json()['walk_id']}").json()
    assert walk["status"] == "complete" and walk["source"]["ended"] == "stopped"
    # the pod's reports differ (else any weighting of them gives the same means)
    assert len({(m["cadence_spm"], m["stride_length_m"]) for m in walking(messages)}) > 1
    last = [m for m in messages if m["type"] == "pod"][-1]
    summary = walk["summary"]
    # the cards and gait live's panel show these: the stored walk's figures, to the figure's rounding
    assert summary["cadence_spm"] == pytest.approx(last["walk_cadence_spm"], abs=0.05), (summary, last)
    assert summary["stride_length_m"] == pytest.approx(last["walk_stride_length_m"], abs=0.0005), (summary, last)
    assert summary["distance_m"] == pytest.approx(last["walk_distance_m"], abs=0.05), (summary, last)
    assert messages[-1]["distance_m"] == summary["distance_m"]


@pytest.fixture
def overstriding(tmp_path: Path) -> Iterator[TestClient]:
    """Virtual sensors replaying a walk whose demo coaching flags and cues strides: a 1.20 m walker (the sample's
    reference) with strides of about 0.90 m, over the population's for that height (tests/browser/conftest.py)."""
    samples = tmp_path / "overstriding"
    samples.mkdir()
    write_walk_csv(samples / "walk.csv", duration_s=120.0, step_hz=STEP_HZ)
    (samples / "walk.reference.json").write_text(json.dumps({"placement": "lower_back", "body_height_m": 1.2}))
    settings = Settings(data_dir=tmp_path / "data", demo=False, samples_dir=samples, demo_speed=10, ble_virtual=True)
    with TestClient(create_app(settings), base_url=LOOPBACK) as client:
        yield client


def coached_walk_through_the_feed(client: TestClient, target: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start a walk on ``target``, read the feed until the walk has a cue and 8 strides, stop; the stored walk and
    the messages the live page got."""
    started: list[Any] = []

    def start() -> None:
        started.append(client.post("/api/live/sensor", json={"target": target, "placement": "lower_back"}))

    def cued_and_striding(ms: list[dict[str, Any]]) -> bool:
        return any(m["type"] == "cue" for m in ms) and sum(m["type"] == "stride" for m in ms) >= 8

    messages = feed_until(client, cued_and_striding, start=start)
    assert started[0].status_code == 202, started[0].text
    walk_id = started[0].json()["walk_id"]
    client.post("/api/live/stop")
    return client.get(f"/api/walks/{walk_id}").json(), messages


@pytest.mark.parametrize("by", ["address", "name"])
def test_a_sensor_named_by_address_or_name_is_coached_for_the_protocols_it_has(
    overstriding: TestClient, by: str
) -> None:
    """QA finding: a sensor picked from the scan list (its address) was looked up without its services, taken for a
    foot pod, and its cued walk stored as "no stride coaching" (coaching off) while the coach flagged and cued."""
    sensors = overstriding.get("/api/sensors", params={"seconds": 1}).json()["sensors"]
    imu = next(s for s in sensors if s["name"] == DEMO_SENSOR_NAMES["imu"])
    walk, messages = coached_walk_through_the_feed(overstriding, imu[by])
    sensor = walk["source"]["sensor"]
    assert sensor["address"] == imu["address"] and sensor["protocols"] == ["imu"]
    # what the live page was told while cues came (hub messages) is what the walk stores
    told = {m["coaching_active"] for m in messages if m["type"] == "hub" and m.get("running")}
    assert told == {True}
    assert walk["coaching"]["active"] is True and not walk["coaching"].get("pod")
    assert walk["coaching"]["reasons"][0].startswith("Demo: coached as if"), walk["coaching"]["reasons"]
    assert not any("foot pod" in r for r in walk["coaching"]["reasons"])
    assert walk["cues"], "the walk's cues are stored with it"


def test_a_sensor_advertising_nothing_we_read_is_coached_for_what_its_gatt_server_offers(
    overstriding: TestClient,
) -> None:
    """A micro:bit renamed by its owner advertises neither a service nor a name we know: only its GATT services,
    read once connected, say it streams raw samples; its walk is coached and stored as coached."""
    ble = overstriding.app.state.ble
    board = VirtualSensor(ble.sample, protocol="microbit", name="Anna's board", speed=10, loop=True)
    overstriding.portal.call(ble.radio.add_sensor, board)
    walk, _ = coached_walk_through_the_feed(overstriding, board.address)
    assert walk["source"]["sensor"]["protocols"] == ["microbit"]
    assert walk["coaching"]["active"] is True and not walk["coaching"].get("pod")


def test_a_measured_sensor_height_is_used_for_your_own_sensors_walk_and_kept_when_it_is_analysed_again(
    virtual: TestClient,
) -> None:
    """The walker's own sensor (not a virtual demo sensor: the radio is reached as the computer's Bluetooth would be):
    the sensor height given goes into the walk's journal and analysis record, and "Analyse again" keeps it."""
    radio = virtual.app.state.ble.radio
    quick = {**VIRTUAL_SOURCE_OPTIONS, "clock_sync": False}
    virtual.app.dependency_overrides[get_ble] = lambda: BleAccess(
        radio.scanner_backend, radio.client_backend, source_options=quick, max_scan_s=1.0
    )
    assert virtual.patch("/api/profile", json={"changes": {"body_height_m": 1.75}, "seen": {}}).status_code == 200
    body = {"target": DEMO_SENSOR_NAMES["imu"], "placement": "lower_back", "sensor_height_m": 1.2}
    started: list[Any] = []
    feed_until(
        virtual,
        lambda ms: sum(m["type"] == "stride" for m in ms) >= 8,
        start=lambda: started.append(virtual.post("/api/live/sensor", json=body)),
    )
    assert started[0].status_code == 202
    walk_id = started[0].json()["walk_id"]
    virtual.post("/api/live/stop")
    walk = virtual.get(f"/api/walks/{walk_id}").json()
    assert walk["demo"] is False and walk["analysis"]["sensor_height_m"] == 1.2
    assert any("sensor height 1.20 m (the sensor height given)" in n for n in walk["notes"])
    lengths = [s["length_m"] for s in virtual.get(f"/api/walks/{walk_id}/strides").json()]
    again = virtual.post(f"/api/walks/{walk_id}/reanalyse")
    assert again.status_code == 200, again.text
    walk = virtual.get(f"/api/walks/{walk_id}").json()
    assert walk["analysis"]["sensor_height_m"] == 1.2
    assert any("sensor height 1.20 m (the sensor height given)" in n for n in walk["notes"])
    # the profile's 1.75 m would put the sensor at 0.93 m: shorter strides than these
    again_lengths = [s["length_m"] for s in virtual.get(f"/api/walks/{walk_id}/strides").json()]
    assert np.median(again_lengths) == pytest.approx(np.median(lengths), rel=0.02)


def test_a_foot_pod_started_without_a_placement_is_a_foot_sensor_whatever_the_profile_says(
    virtual: TestClient,
) -> None:
    """QA16: a foot pod (RSC) started through the API without a placement was stored as a lower-back sensor; the
    dashboard's picker sets foot, the API did not. Its placement is the foot, said in its notes, over a usual lower
    back; a placement given still wins, and another sensor keeps the lower back."""
    profile = virtual.get("/api/profile").json()
    profile.pop("not_medical_advice", None)
    assert virtual.put("/api/profile", json={**profile, "placement": "lower_back"}).status_code == 200
    sensors = virtual.get("/api/sensors", params={"seconds": 1}).json()["sensors"]
    pod = next(s for s in sensors if s["protocols"] == ["rsc"])
    imu = next(s for s in sensors if s["protocols"] == ["imu"])
    placements = {}
    for target, given in ((pod, None), (pod, "waist"), (imu, None)):
        body = {"target": target["name"], **({"placement": given} if given else {})}
        started: list[Any] = []
        # streaming (a walk stopped before its first data is not kept)
        feed_until(
            virtual,
            lambda ms: any(m["type"] in ("pod", "step") for m in ms),
            start=lambda body=body, started=started: started.append(virtual.post("/api/live/sensor", json=body)),
        )
        assert started[0].status_code == 202, started[0].text
        assert virtual.post("/api/live/stop").status_code == 200
        walk = virtual.get(f"/api/walks/{started[0].json()['walk_id']}").json()
        notes = [n for n in walk["notes"] if n.startswith("placement")]
        placements[(target["name"], given)] = walk["placement"], notes
    pod_placement, pod_notes = placements[(pod["name"], None)]
    assert pod_placement == "foot", placements
    # kept when the walk ends with the pod's own figures (their note replaces the stride-length model's)
    assert pod_notes == [
        "placement foot: a foot pod (it streams running speed and cadence) is worn on a shoe; if it was elsewhere, "
        "give its placement when starting the walk"
    ], pod_notes
    assert placements[(pod["name"], "waist")] == ("waist", [])
    assert placements[(imu["name"], None)] == ("lower_back", [])
