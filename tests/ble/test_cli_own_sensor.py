"""``gait live`` with the walker's own sensor (not a demo) on a virtual radio: what the closing lines say."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from ingest.ble.virtual import SensorFaults, VirtualRadio, VirtualSensor
from service.cli import main
from tests.ble.conftest import walk_recording

pytestmark = pytest.mark.timeout(60)


def own_sensor(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    faults: SensorFaults | None = None,
    *,
    walk_s: float = 30.0,
    speed: float = 2.0,
    loop: bool = True,
) -> None:
    """GAIT_BLE_VIRTUAL=1 with one IMU sensor "Mine" that is not a replayed sample: the walker's own sensor, replaying
    a synthetic walk of ``walk_s`` (108 steps/min) ``speed`` times faster than real time."""
    import service.demo as demo

    async def virtual_ble(_settings: Any) -> demo.BleAccess:
        radio = VirtualRadio()
        recording = walk_recording(walk_s)
        await radio.add_sensor(VirtualSensor(recording, name="Mine", speed=speed, faults=faults, loop=loop))
        options = {**demo.VIRTUAL_SOURCE_OPTIONS, "clock_sync": False, "reconnect_window_s": 1.0}
        return demo.BleAccess(
            radio.scanner_backend,
            radio.client_backend,
            radio=radio,
            source_options={**options, "connect_timeout_s": 0.5},
        )

    monkeypatch.setattr(demo, "virtual_ble", virtual_ble)
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAIT_BLE_VIRTUAL", "1")
    monkeypatch.setenv("COLUMNS", "400")


def test_a_short_walk_of_your_own_sensor_says_why_it_is_not_stored_and_takes_a_measured_sensor_height(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: walks recorded with `gait live` never reached the dashboard and nothing said so (now they are stored, a
    few steps are not: said, with where the samples are); and `gait live` had no --sensor-height-m (only `gait
    analyze` had)."""
    own_sensor(monkeypatch, tmp_path)
    journal_dir = tmp_path / "journal"
    argv = ["live", "Mine", "--seconds", "2", "--no-bell", "--journal-dir", str(journal_dir), "--sensor-height-m", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    (csv,) = journal_dir.glob("*.csv")
    assert "not stored in the dashboard: too little walking, " in out and f"its samples stay in {csv}" in out
    assert json.loads(csv.with_suffix(".json").read_text())["sensor_height_m"] == 1.0
    hint = shlex.split(out[out.rindex("(gait analyze ") + 1 : out.rindex(")\n")])
    assert hint[hint.index("--sensor-height-m") + 1] == "1"


def test_a_link_lost_for_good_says_where_the_samples_are_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: `gait live Gone` ended on "... (TimeoutError); the samples so far are kept", without saying where."""
    own_sensor(monkeypatch, tmp_path, SensorFaults(drop_link_after_s=4.0, link_down_s=600.0))
    journal_dir = tmp_path / "journal"
    assert main(["live", "Mine", "--json", "--journal-dir", str(journal_dir)]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    (csv,) = journal_dir.glob("*.csv")
    assert err.startswith("gait: error: lost Mine and could not reconnect for 1 s (the sensor did not answer); the ")
    assert f"samples so far are kept in {csv} (gait analyze {csv} --placement" in err
    assert "not stored in the dashboard: too little walking, " in err and f"its samples stay in {csv}" in err
    assert "TimeoutError" not in err


def test_the_live_views_counters_follow_the_gaps_while_it_streams() -> None:
    """QA: "lost packets 0 gaps 0" the whole walk, then "ended ... lost packets 27 gaps 25": the view took its
    counters from state messages only, which the session sends on phase changes."""
    from rich.console import Console

    from service.commands.live import LiveView

    view = LiveView("Lossy", "no plan", bell=False)
    view._live = type("Live", (), {"update": lambda self, _r: None})()
    view.show({"type": "state", "phase": "streaming", "samples": 10, "lost_packets": 0, "gaps": 0})
    view.show({"type": "gap", "start_s": 1.0, "end_s": 1.2, "lost_packets": 3, "reason": "lost_packets"})
    view.show({"type": "gap", "start_s": 2.0, "end_s": 2.1, "lost_packets": 1, "reason": "lost_packets"})
    console = Console(width=200, record=True)
    console.print(view.render())
    assert "lost packets 4  gaps 2" in console.export_text()


def test_the_live_views_sample_counter_rises_while_it_streams(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: `gait live GaitDemo` redrew "streaming GaitDemo samples 5 ... strides 6" the whole walk, then "ended
    GaitDemo samples 1503": the view took its sample count from state messages, sent on phase changes only."""
    import io
    import re

    from service.commands.live import LiveView

    own_sensor(monkeypatch, tmp_path)
    drawn: list[str] = []
    render = LiveView.render

    def spy(view: LiveView) -> Any:
        from rich.console import Console

        panel = render(view)
        console = Console(width=400, record=True, file=io.StringIO())
        console.print(panel)
        drawn.append(console.export_text())
        return panel

    monkeypatch.setattr(LiveView, "render", spy)
    assert main(["live", "Mine", "--seconds", "3", "--no-bell", "--journal-dir", str(tmp_path / "journal")]) == 0
    streaming = [int(m.group(1)) for text in drawn if (m := re.search(r"streaming\s+Mine\s+samples (\d+)", text))]
    assert len(set(streaming)) >= 3, streaming  # redrawn while it streams, with the samples so far
    assert streaming == sorted(streaming)
    ended = re.search(r"ended\s+Mine\s+samples (\d+)", capsys.readouterr().out)
    assert ended is not None and int(ended.group(1)) >= max(streaming)
