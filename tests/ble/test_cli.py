"""``gait scan`` and ``gait live``: the demo end to end, JSON output, and clear user errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from service.cli import main

pytestmark = pytest.mark.timeout(60)


def virtual_ble(monkeypatch: pytest.MonkeyPatch, data_dir: Path, speed: float) -> None:
    """GAIT_BLE_VIRTUAL=1 (the virtual radio of demo sensors) with the data in ``data_dir``, replayed ``speed`` times
    faster than real time."""
    monkeypatch.setenv("GAIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GAIT_BLE_VIRTUAL", "1")
    monkeypatch.setenv("GAIT_DEMO_SPEED", f"{speed:g}")


def test_scan_demo_lists_every_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--demo", "--json", "--seconds", "0.5"]) == 0
    sensors = json.loads(capsys.readouterr().out)
    assert sorted(tuple(s["protocols"]) for s in sensors) == [("imu",), ("microbit",), ("pmd",), ("pmd",), ("rsc",)]
    assert all(s["rssi_dbm"] < 0 and s["address"] for s in sensors)


def test_scan_demo_points_to_the_command_that_walks_with_a_demo_sensor(capsys: pytest.CaptureFixture[str]) -> None:
    # its sensors vanish with the scan: `gait live ADDRESS` would look for them on the computer's own radio
    assert main(["scan", "--demo", "--seconds", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "gait live --demo" in out and "gait live ADDRESS" not in out, out


@pytest.mark.timeout(120)
def test_every_demo_sensor_the_scan_lists_is_walked_with_by_the_command_it_gives(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The foot pod too, which ``--demo-protocol`` does not offer: each line's command connects to its sensor."""
    import shlex

    assert main(["scan", "--demo", "--json", "--seconds", "0.5"]) == 0
    names = [s["name"] for s in json.loads(capsys.readouterr().out)]
    assert main(["scan", "--demo", "--seconds", "0.5"]) == 0
    hint = capsys.readouterr().out.split("walk with one:\n", 1)[1].splitlines()
    commands = {name: line.strip()[len(name) :].strip() for name, line in zip(names, hint, strict=True)}
    assert all(line.strip().startswith(name) for name, line in zip(names, hint, strict=True)), hint
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    for name, command in commands.items():
        words = shlex.split(command)
        with monkeypatch.context() as env:
            while "=" in words[0]:  # an environment variable before the command
                key, value = words.pop(0).split("=", 1)
                env.setenv(key, value)
                env.setenv("GAIT_DEMO_SPEED", "20")
            assert words[:2] == ["gait", "live"], command
            fast = ["--speed", "20"] if "--demo" in words else []
            journal = ["--journal-dir", str(tmp_path / "journal")]
            assert main([*words[1:], *fast, "--json", "--seconds", "1.5", "--no-bell", *journal]) == 0, command
        messages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        details = [m.get("detail") for m in messages if m["type"] == "state"]
        assert f"looking for {name}" in details, (command, details)
        assert any(m["type"] == "state" and m["phase"] == "streaming" for m in messages), command


def test_live_demo_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["live", "--demo", "--json", "--seconds", "3", "--speed", "50", "--journal-dir", str(tmp_path)])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    messages = [json.loads(line) for line in lines]  # every line is strict JSON
    kinds = {m["type"] for m in messages}
    assert {"state", "step", "stride"} <= kinds
    assert messages[-1]["type"] == "state" and messages[-1]["phase"] == "ended"
    strides = [m for m in messages if m["type"] == "stride"]
    # the demo coach judges against the walk's own level: its first 20 trusted strides set it and get no target,
    # every stride after them gets one
    trusted = [i for i, m in enumerate(strides) if m["length_m"] is not None and m["confidence"] >= 0.6]
    assert len(trusted) > 20
    assert all(m["target_m"] is None for m in strides[: trusted[19] + 1])
    assert all(m["target_m"] is not None for m in strides[trusted[19] + 1 :])
    assert {m["judged_against"] for m in strides} == {"this walk's first 20 strides"}
    # each stride says whether the coach judges its length at all (confident enough: 0.6, the coach's default)
    assert all(m["trusted"] == (m["length_m"] is not None and m["confidence"] >= 0.6) for m in strides)
    assert any(m["trusted"] for m in strides)
    journals = list(tmp_path.glob("*.csv"))
    assert len(journals) == 1 and journals[0].stat().st_size > 0


def test_live_demo_uses_the_sample_walkers_heights_as_the_dashboard_demo_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo replays somebody else's walk: its journal (and the hint that re-analyses it) carries the sample
    walker's body and sensor heights from the sample's reference file, as the dashboard's demo walk does, so the two
    demos show the same stride lengths; --height-m replaces the walker, and with it the sensor height."""
    from service.commands.live import DEMO_RECORDING
    from service.settings import Settings

    reference = json.loads(
        (Settings.from_env().samples_dir / DEMO_RECORDING).with_suffix(".reference.json").read_text()
    )
    argv = ["live", "--demo", "--seconds", "1", "--speed", "20", "--no-bell"]
    assert main([*argv, "--journal-dir", str(tmp_path / "a")]) == 0
    (meta_path,) = (tmp_path / "a").glob("*.json")
    meta = json.loads(meta_path.read_text())
    assert (meta["body_height_m"], meta["sensor_height_m"]) == (
        reference["body_height_m"],
        reference["sensor_height_m"],
    )
    out = " ".join(capsys.readouterr().out.split())
    assert f"--height-m {reference['body_height_m']:g} --sensor-height-m {reference['sensor_height_m']:g}" in out
    assert main([*argv, "--height-m", "1.9", "--journal-dir", str(tmp_path / "b")]) == 0
    (meta_path,) = (tmp_path / "b").glob("*.json")
    meta = json.loads(meta_path.read_text())
    assert (meta["body_height_m"], meta["sensor_height_m"]) == (1.9, None)


def test_live_view_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["live", "--demo", "--seconds", "2", "--speed", "20", "--journal-dir", str(tmp_path), "--no-bell"]) == 0
    out = capsys.readouterr().out
    assert "gait live" in out and "walk ended:" in out and "Not medical advice" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["live"], "address or name"),
        (["live", "--demo", "--seconds", "0"], "--seconds must be a positive number"),
        (["scan", "--seconds", "-1"], "--seconds must be positive"),
        (["live", "--demo", "--side", "left"], "only a foot sensor has one"),  # the demo sensor is a lower back
    ],
)
def test_usage_errors_are_one_line(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("gait: error:") and needle in err and "Traceback" not in err


def test_real_radio_errors_are_clear(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Against the platform's Bluetooth (absent in CI): a clear message and exit 2, never a hang or traceback."""
    assert main(["live", "NoSuchSensor", "--scan-s", "0.3", "--journal-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gait: error:") and "Traceback" not in err
    assert "NoSuchSensor" in err or "cannot scan" in err


def test_a_sensor_not_found_prints_only_the_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No "ended ... samples 0" live panel before the error: nothing streamed, the error says it all."""
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAIT_BLE_VIRTUAL", "1")  # the virtual radio: "not found" whatever the machine's Bluetooth
    assert main(["live", "NoSuchSensor", "--scan-s", "0.3", "--journal-dir", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("gait: error:") and "NoSuchSensor" in err and err.count("\n") == 1


def test_gait_scan_and_live_use_the_virtual_radio_of_gait_ble_virtual(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GAIT_BLE_VIRTUAL=1 replaces Bluetooth with five demo sensors for the service and the command line alike."""
    virtual_ble(monkeypatch, tmp_path / "data", 20)
    assert main(["scan", "--json", "--seconds", "0.5"]) == 0
    sensors = json.loads(capsys.readouterr().out)
    assert len(sensors) == 5
    imu = next(s for s in sensors if s["protocols"] == ["imu"])
    assert main(["live", imu["name"], "--json", "--seconds", "2", "--journal-dir", str(tmp_path)]) == 0
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(m["type"] == "stride" for m in messages)


def test_the_live_view_shows_a_confidence_as_the_docs_state_it() -> None:
    """0.75 (the inverted pendulum with a known height, README) was shown rounded to one decimal as "0.8"."""
    from rich.console import Console

    from service.commands.live import LiveView

    view = LiveView("GaitDemo", "cues follow your coaching plan", bell=False)
    view.stride = {"cadence_spm": 110.0, "length_m": 1.2, "target_m": None, "confidence": 0.75, "method": "x"}
    console = Console(width=120, record=True)
    console.print(view.render())
    text = console.export_text()
    assert "confidence 0.75" in text
    assert "Not medical advice. Cues follow your coaching plan." in text


def _profile(data_dir: Path) -> None:
    """The QA tester's profile (usual placement pocket, factors pocket 1.065 and lower back 1.1), 1.82 m tall (not
    the sample walkers' 1.75 m)."""
    from service.store import Store

    store = Store(data_dir / "gait.sqlite3").open()
    try:
        store.put_profile(
            {"placement": "pocket", "body_height_m": 1.82, "stride_scales": {"pocket": 1.065, "lower_back": 1.1}}
        )
    finally:
        store.close()


def test_gait_live_takes_placement_height_and_factor_from_the_profile_as_analyze_does(tmp_path: Path) -> None:
    """The walker's own sensor: the usual placement (said, as analyze says it), the profile's height and the factor
    of that placement; --placement and --height-m still win."""
    import argparse

    from gait.types import Placement
    from service.commands.calibrate import saved_profile
    from service.commands.live import walk_settings
    from service.settings import Settings

    _profile(tmp_path)
    profile = saved_profile(Settings.from_env(data_dir=tmp_path))

    def settings(**given: object):
        args = argparse.Namespace(**{"placement": None, "demo": False, "height_m": None, "stride_scale": None, **given})
        return walk_settings(args, profile, replayed=None)

    walk = settings()
    assert (walk.placement, walk.body_height_m, walk.stride_scale, walk.demo) == (Placement.POCKET, 1.82, 1.065, False)
    assert "placement pocket from your profile's usual sensor placement" in walk.placement_note
    assert "--placement" in walk.placement_note
    walk = settings(placement="lower_back", height_m=1.6)
    assert (walk.placement, walk.body_height_m, walk.stride_scale) == (Placement.LOWER_BACK, 1.6, 1.1)
    assert walk.placement_note is None
    walk = walk_settings(
        argparse.Namespace(placement=None, demo=False, height_m=None, stride_scale=None), {}, replayed=None
    )
    assert walk.placement is Placement.LOWER_BACK and "lower_back assumed" in walk.placement_note


def test_a_virtual_sensor_is_a_demo_walk_and_its_hint_reanalyses_the_same_walk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GAIT_BLE_VIRTUAL=1 sensors replay a sample, as on the dashboard: a demo (demo coaching, the sample walker's
    heights and placement, not the user's factor nor usual placement, as `gait live --demo`); the closing hint
    re-analyses the journal with the walk's own settings, and the final panel no longer says Ctrl-C ends the walk."""
    import shlex

    from service.demo import find_sample, sample_reference
    from service.settings import Settings

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _profile(data_dir)
    virtual_ble(monkeypatch, data_dir, 20)
    monkeypatch.setenv("COLUMNS", "400")  # the panel's lines unwrapped
    journal_dir = tmp_path / "journal"
    assert main(["live", "GaitDemo", "--seconds", "3", "--no-bell", "--journal-dir", str(journal_dir)]) == 0
    out = capsys.readouterr().out
    # QA17 #5: the lower-back sample was analysed as the profile's usual pocket
    assert "pocket" not in out and "usual sensor placement" not in " ".join(out.split())
    assert "coaching plan" not in out and "demo" in out.lower()
    assert "Ctrl-C" not in out  # the panel left on screen is of a walk that is over
    (meta_path,) = journal_dir.glob("*.json")
    meta = json.loads(meta_path.read_text())
    reference = sample_reference(find_sample(Settings.from_env().samples_dir, None))
    assert meta["placement"] == reference["placement"] == "lower_back" and meta["stride_scale"] is None
    assert meta["body_height_m"] == reference["body_height_m"] != 1.82
    hint = out[out.rindex("(gait analyze ") + 1 : out.rindex(")")]
    argv = shlex.split(hint)[1:]
    assert argv[argv.index("--placement") + 1] == "lower_back" and "--no-profile" in argv
    # the sample walker's heights, which a lower-back stride length rests on
    assert argv[argv.index("--height-m") + 1] == str(reference["body_height_m"])
    assert argv[argv.index("--sensor-height-m") + 1] == str(reference["sensor_height_m"])
    assert main([*argv, "--data-dir", str(data_dir), "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "lower_back" and doc["strides"]


def test_the_live_panel_says_how_to_end_the_walk_only_while_it_runs() -> None:
    from rich.console import Console

    from service.commands.live import LiveView

    def text(view: LiveView) -> str:
        console = Console(width=120, record=True)
        console.print(view.render())
        return console.export_text()

    view = LiveView("GaitDemo", "cues follow your coaching plan", bell=False)
    view.state = {"phase": "streaming", "samples": 10}
    assert "Ctrl-C ends the walk" in text(view)
    view.state = {"phase": "ended", "samples": 10}
    assert "Ctrl-C" not in text(view)
    view.state = {"phase": "reconnecting", "samples": 10}
    view.ended = True  # the walk stopped (--seconds, Ctrl-C, an error) whatever the last state said
    assert "Ctrl-C" not in text(view)


def test_the_live_panel_gives_a_foot_pods_walk_so_far_beside_its_latest_report() -> None:
    from rich.console import Console

    from service.commands.live import LiveView

    view = LiveView("FootPod demo", "cues follow your coaching plan", bell=False)
    view.state = {"phase": "streaming", "samples": 0}
    report = {"type": "pod", "cadence_spm": 112.0, "speed_mps": 1.4, "stride_length_m": 1.5, "walk_distance_m": 0.0}
    view.pod = {**report, "walk_cadence_spm": None, "walk_stride_length_m": None}
    console = Console(width=120, record=True)
    console.print(view.render())
    first = console.export_text()
    assert "112 steps/min" in first and "walk so far" not in first  # no walking time yet: nothing to average
    view.pod = {**report, "walk_cadence_spm": 104.6, "walk_stride_length_m": 1.38, "walk_distance_m": 412.0}
    console = Console(width=120, record=True)
    console.print(view.render())
    later = console.export_text()
    assert "walk so far" in later and "105 steps/min" in later and "1.38 m" in later and "412 m" in later, later


def test_a_foot_pod_walk_ends_with_its_own_figures_and_no_command_for_samples_it_never_sent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    virtual_ble(monkeypatch, tmp_path / "data", 8)
    assert main(["live", "FootPod demo", "--seconds", "3", "--no-bell", "--journal-dir", str(tmp_path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "the foot pod's own figures" in last and "nothing to analyse again" in last, last
    assert "gait analyze" not in last and ".csv" not in last
    kept = last.rsplit("kept in ", 1)[1].rstrip(")")
    assert Path(kept).is_file() and json.loads(Path(kept).read_text())["pod"]["distance_m"] is not None


def test_a_foot_pod_walks_closing_line_gives_the_figures_its_last_panel_showed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA16 finding 6: the panel said "101 steps/min, stride 1.17 m", the closing line "cadence 102.0 ... stride
    1.098 m" (the pod's last report was held on to the end of the walk, after the panel had shown it)."""
    # the first sample, a real walk whose figures vary, at twice real time: the pod reports every half second, so
    # the stop comes up to half a second after its last report (at 8x the last report weighed too little to show)
    virtual_ble(monkeypatch, tmp_path / "data", 2)
    assert main(["live", "FootPod demo", "--seconds", "6", "--no-bell", "--journal-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    panel = re.findall(r"walk so far\s+(\d+) steps/min, stride (\d+\.\d+) m", out)
    assert panel, out
    closing = re.search(r"walk ended: the foot pod's own figures \(cadence (\S+) steps/min, stride (\S+) m", out)
    assert closing, out
    cadence_spm, stride_m = (float(v) for v in closing.groups())
    assert (f"{cadence_spm:.0f}", f"{stride_m:.2f}") == panel[-1], out


def test_a_foot_pod_without_a_placement_is_a_foot_sensor_whatever_the_profile_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA16: gait live 'FootPod demo' said "placement lower_back from your profile's usual sensor placement"; a foot
    pod (RSC) is worn on a shoe. --placement still wins."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    _profile(data_dir)  # usual placement pocket
    virtual_ble(monkeypatch, data_dir, 8)
    monkeypatch.setenv("COLUMNS", "400")  # the panel's lines unwrapped
    for given, journal_dir in ((None, tmp_path / "pod"), ("waist", tmp_path / "pod-waist")):
        argv = ["live", "FootPod demo", "--seconds", "3", "--no-bell", "--journal-dir", str(journal_dir)]
        assert main(argv + (["--placement", given] if given else [])) == 0
        out = " ".join(capsys.readouterr().out.split())
        (meta_path,) = journal_dir.glob("*.json")
        assert json.loads(meta_path.read_text())["placement"] == (given or "foot")
        assert "from your profile's usual sensor placement" not in out, out
        said = "Note: placement foot: a foot pod (it streams running speed and cadence) is worn on a shoe; pass"
        assert (said in out) is (given is None), out


def demo_journal(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **meta) -> Path:
    """A live demo walk's journal, its sidecar amended with ``meta`` (as another live walk would have kept it)."""
    monkeypatch.setenv("GAIT_DATA_DIR", str(tmp_path / "data"))
    assert main(["live", "--demo", "--json", "--seconds", "3", "--speed", "20", "--journal-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    (journal,) = tmp_path.glob("*.csv")
    sidecar = journal.with_suffix(".json")
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), **meta}))
    return journal


def test_analysing_a_live_journal_takes_the_placement_its_sidecar_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as a walk with the sensor on the waist would have kept it
    journal = demo_journal(capsys, tmp_path, monkeypatch, placement="waist")
    assert main(["analyze", str(journal), "--no-profile", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "waist"
    assert not any("assumed" in note for note in doc["notes"]), doc["notes"]
    # and says where it came from, in the notes and the summary
    assert doc["notes"][0].startswith("placement waist from the live walk's journal"), doc["notes"]
    assert main(["analyze", str(journal), "--no-profile"]) == 0
    assert "note: placement waist from the live walk's journal" in capsys.readouterr().out


def test_gait_live_stopped_by_sigterm_ends_the_walk_and_its_journal(tmp_path: Path) -> None:
    """`timeout`, `kill` or a closed terminal: the walk ends as with Ctrl-C (its journal said 'connecting')."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "GAIT_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "service.cli", "live", "--demo", "--json", "--speed", "4", "--journal-dir"]
    proc = subprocess.Popen([*cmd, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    for line in proc.stdout:  # wait for the first stride, then stop it as `timeout` would
        if json.loads(line)["type"] == "stride" or time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert json.loads(rest.strip().splitlines()[-1])["phase"] == "ended"
    (sidecar,) = tmp_path.glob("*.json")
    assert json.loads(sidecar.read_text())["state"]["phase"] == "ended"


def test_gait_live_streams_the_demo_polar_sense_at_52_hz_end_to_end(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA: `gait live 'Polar Sense DEMO'` streamed at 100 Hz, an H10 in all but name."""
    import numpy as np

    from service.live import load_journal

    virtual_ble(monkeypatch, tmp_path / "data", 10)
    journal_dir = tmp_path / "journal"
    assert main(["live", "Polar Sense DEMO", "--json", "--seconds", "3", "--journal-dir", str(journal_dir)]) == 0
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (csv,) = journal_dir.glob("*.csv")
    journal = load_journal(csv)
    assert journal.n_samples > 20 * 52  # some 30 s of the walk at ten times real time
    assert np.median(np.diff(journal.time_s)) == pytest.approx(1 / 52, rel=1e-3)
    strides = [m for m in messages if m["type"] == "stride"]
    assert len(strides) >= 5 and 80 < np.median([m["cadence_spm"] for m in strides]) < 130


def test_analysing_a_live_journal_says_its_sensor_height_came_from_the_journal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as a lower-back walk whose sensor height was measured on the live page kept it
    journal = demo_journal(capsys, tmp_path, monkeypatch, placement="lower_back", sensor_height_m=1.05)
    assert main(["analyze", str(journal), "--no-profile", "--json", "-"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("sensor height 1.05 m (from the live walk's journal)" in n for n in notes), notes
    assert not any("the sensor height given" in n for n in notes)
    # given on the command, it is the one given
    assert main(["analyze", str(journal), "--no-profile", "--sensor-height-m", "1.1", "--json", "-"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any("sensor height 1.10 m (the sensor height given)" in n for n in notes), notes


def test_the_live_view_says_why_there_is_no_target_and_how_the_pain_prompt_comes() -> None:
    """The terminal view said "target n/a" and nothing of the prompt near the usual point of pain coming by time,
    where the dashboard's live page gives both reasons."""
    from rich.console import Console

    from service.commands.live import LiveView

    view = LiveView("GaitDemo", "cues follow your coaching plan", bell=False)
    view.stride = {
        "cadence_spm": 110.0,
        "length_m": 1.2,
        "target_m": None,
        "confidence": 0.75,
        "method": "x",
        "no_target_note": "No target yet: this walk's first 20 strides set its level.",
        "distance_cue_note": "The prompt near your usual point of pain comes after about 20 min of this walk.",
    }
    console = Console(width=200, record=True)
    console.print(view.render())
    text = console.export_text()
    assert "No target yet: this walk's first 20 strides set its level." in text
    assert "n/a" not in text
    assert "comes after about 20 min of this walk" in text


@pytest.mark.parametrize("flag", ["--data-dir", "--journal-dir"])
def test_live_on_a_folder_that_is_a_file_says_so_not_a_failing_disk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    # QA qa21: `gait live NAME --data-dir walk.csv` said the disk "may be full or failing" (Not a directory)
    file = tmp_path / "walk.csv"
    file.write_text("time_s\n")
    virtual_ble(monkeypatch, tmp_path / "data", 20)
    assert main(["live", "GaitDemo", "--seconds", "1", flag, str(file)]) == 2
    err = capsys.readouterr().err
    what = {"--data-dir": "the gait data folder", "--journal-dir": "the journal folder"}[flag]
    assert err == (
        f"gait: error: cannot use {what} {file}: it is a file, not a folder; give {flag} a folder (a new one is "
        "created); the walk could not start: nothing was recorded\n"
    )
