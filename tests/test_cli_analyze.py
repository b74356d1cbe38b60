"""`gait analyze`: summary, JSON document, overlong marking and clear errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gait.types import Placement, Recording
from ingest import load
from ingest.gait_csv import write_gait_csv
from service.cli import main
from tests.gait.synthetic import walk_signal
from tests.ingest import exports, test_metabase

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def walk_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    t, acc = walk_signal(step_hz=1.8, walk_s=20.0, tilt_deg=30)
    path = tmp_path_factory.mktemp("cli") / "walk.csv"
    write_gait_csv(Recording(time_s=t + 1000.0, acc_ms2=acc), path)
    return path


def test_readable_summary(walk_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(walk_csv), "--height-m", "1.75"]) == 0
    out = capsys.readouterr().out
    cadence = float(out.split("cadence")[1].split("steps/min")[0])
    assert cadence == pytest.approx(108.0, abs=0.6)  # 1.8 steps per second
    assert "inverted-pendulum" in out
    # a steady straight walk with a known height: every stride length is trusted for coaching
    strides = int(out.split("strides")[1].split()[0])
    assert f"reliable        {strides} of {strides} stride lengths trusted for coaching" in out


def test_lengths_from_an_assumed_height_are_not_trusted_for_coaching(walk_csv: Path, capsys) -> None:
    assert main(["analyze", str(walk_csv), "--placement", "lower_back"]) == 0
    out = capsys.readouterr().out
    strides = int(out.split("strides")[1].split()[0])
    assert strides > 5 and f"reliable        0 of {strides} stride lengths" in out


def test_a_foot_sensor_summary_says_its_steps_are_one_foot_s(walk_csv: Path, capsys) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_recordings" / "gaitmap_left_foot.csv"
    assert main(["analyze", str(sample), "--placement", "foot"]) == 0
    out = capsys.readouterr().out
    assert "contacts of the sensor's foot" in out and "overlapping" not in out  # one foot's strides follow each other
    assert main(["analyze", str(walk_csv)]) == 0  # a trunk sensor sees both feet
    out = capsys.readouterr().out
    assert "contacts of the sensor's foot" not in out
    # as the dashboard says: a trunk sensor's strides overlap, so "strides" beside "steps" is no contradiction
    assert "(overlapping: one starts at every step)" in next(ln for ln in out.splitlines() if "strides " in ln)


def test_an_assumed_placement_is_said_and_a_contradicting_gyroscope_flagged(walk_csv: Path, capsys) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_recordings" / "gaitmap_left_foot.csv"
    assert main(["analyze", str(sample)]) == 0  # a gait CSV does not say where the sensor was
    out = capsys.readouterr().out
    assert "placement lower_back assumed" in out and "--placement" in out
    assert "placement check" in out and "--placement foot" in out  # its gyroscope swings like a shoe's
    assert main(["analyze", str(sample), "--placement", "foot"]) == 0
    out = capsys.readouterr().out
    assert "assumed" not in out.split("note: stride length")[0] and "placement check" not in out
    assert main(["analyze", str(walk_csv), "--placement", "lower_back"]) == 0
    assert "placement lower_back assumed" not in capsys.readouterr().out


def test_side_of_a_foot_sensor(capsys) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_recordings" / "gaitmap_right_foot.csv"
    assert main(["analyze", str(sample), "--placement", "foot", "--side", "right", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["steps"] and {s["side"] for s in doc["steps"]} == {"right"}
    assert {s["side"] for s in doc["strides"]} == {"right"}
    # a side without a foot placement is refused with what to do, exit code 2, no traceback
    assert main(["analyze", str(sample), "--side", "right"]) == 2
    err = capsys.readouterr().err
    assert "set the placement to foot" in err and "Traceback" not in err


def test_json_document_on_the_files_own_time_axis(walk_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(walk_csv), "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["steps"] == len(doc["steps"]) and abs(doc["summary"]["steps"] - 36) <= 2
    assert all(1002.5 < s["t_s"] < 1023.5 for s in doc["steps"])  # walking is 1003-1023 s on the file's axis
    assert all(s["overlong"] is None for s in doc["strides"]) and doc["summary"]["overlong_strides"] is None


def test_target_marks_overlong_strides(walk_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "doc.json"
    # Only confident lengths are judged: with the walker's height the pendulum model is confident enough.
    assert main(["analyze", str(walk_csv), "--json", str(out), "--target-stride-m", "0.5", "--height-m", "1.75"]) == 0
    doc = json.loads(out.read_text())
    flags = [s["overlong"] for s in doc["strides"]]
    assert doc["summary"]["overlong_strides"] == sum(f is True for f in flags) > 0
    assert main(["analyze", str(walk_csv), "--json", str(out), "--target-stride-m", "2.4", "--height-m", "1.75"]) == 0
    assert json.loads(out.read_text())["summary"]["overlong_strides"] == 0
    # Without a height the lengths rest on an assumed sensor height: too unreliable to judge.
    assert main(["analyze", str(walk_csv), "--json", str(out), "--target-stride-m", "0.5"]) == 0
    doc = json.loads(out.read_text())
    assert doc["summary"]["overlong_strides"] == 0 and all(s["overlong"] is None for s in doc["strides"])


def test_the_summary_counts_overlong_strides_among_those_judged(walk_csv: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "doc.json"
    assert main(["analyze", str(walk_csv), "--json", str(out), "--target-stride-m", "1.0", "--height-m", "1.75"]) == 0
    flags = [s["overlong"] for s in json.loads(out.read_text())["strides"]]
    judged, over = sum(f is not None for f in flags), sum(f is True for f in flags)
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("overlong"))
    assert f"{over} of {judged} judged stride" in line, line
    assert f"{len(flags) - judged} of {len(flags)} not judged" in line, line


def test_wrist_placement_gives_cadence_and_says_no_length_model(walk_csv: Path, capsys) -> None:
    assert main(["analyze", str(walk_csv), "--placement", "wrist"]) == 0
    out = capsys.readouterr().out
    assert "no model fits a wrist sensor" in out and "stride length   n/a" in out


HEADER = "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n", "no data rows"),
        ("time,x,y\n1,2,3\n", "missing column"),
        (HEADER + "".join(f"{i / 50},0,0,{9.81 if i % 3 else 'nan'}\n" for i in range(200)), "non-finite"),
        (HEADER + "".join(f"{i / 50},0,0,1.0\n" for i in range(200)), "units of g"),
        (HEADER + "".join(f"{i / 10},0,0,9.81\n" for i in range(200)), "below the 20 Hz"),
        (HEADER + "".join(f"{(i % 100) / 50},0,0,9.81\n" for i in range(200)), "time goes back"),
        (HEADER + "".join(f"{(199 - i) / 50},0,0,9.81\n" for i in range(200)), "time runs backwards on every row"),
        (HEADER + "".join(f"{i / 50},0,0,1000\n" for i in range(200)), "units of milli-g"),
        (HEADER + "".join(f"{i * 20},0,0,9.81\n" for i in range(200)), "time looks like milliseconds"),
        (
            HEADER + "".join(f"{i / 50},{0.5 * (-1) ** i},0,{0.3 * (-1) ** (i // 3)}\n" for i in range(200)),
            "linear acceleration (gravity removed)",
        ),
    ],
)
def test_bad_files_get_one_clear_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "analyze", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_cut_off_last_line_is_dropped_and_said(walk_csv: Path, tmp_path: Path, capsys) -> None:
    text = walk_csv.read_text().rstrip("\n")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.rfind(",")])  # the phone died while writing the last line
    n_lines = cut.read_text().count("\n") + 1
    assert main(["analyze", str(cut), "--placement", "lower_back"]) == 0
    out = capsys.readouterr().out
    assert f"note: cut.csv: the last row (line {n_lines}) was incomplete" in out and "dropped" in out


def test_a_foot_sensor_without_gyroscope_says_the_model_needs_one(tmp_path: Path, capsys) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_recordings" / "gaitmap_left_foot.csv"
    acc_only = tmp_path / "acc_only.csv"
    acc_only.write_text("\n".join(",".join(line.split(",")[:4]) for line in sample.read_text().splitlines()))
    assert main(["analyze", str(acc_only), "--placement", "foot"]) == 0
    out = capsys.readouterr().out
    assert "needs a gyroscope" in out and "zero-velocity-update integration of" not in out
    assert "stride length   n/a" in out
    cadence = out.split("cadence")[1].split("steps/min")[0].strip()
    assert float(cadence) > 0  # cadence is still given


def test_an_apple_health_export_names_what_to_do(tmp_path: Path, capsys) -> None:
    path = tmp_path / "export.xml"
    path.write_text('<?xml version="1.0"?>\n<HealthData locale="en_US"></HealthData>\n')
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "upload it on the dashboard's Upload page" in err and "gait serve" in err
    assert "read_apple_health" not in err and "'Trends'" not in err


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        (
            "--height-m",
            "175",
            ["--height-m 175", "in metres", "0.8-2.5 m", "did you mean --height-m 1.75?"],
        ),
        ("--height-m", "17", ["--height-m 17", "body height in metres"]),
        ("--sensor-height-m", "95", ["--sensor-height-m 95", "metres", "did you mean --sensor-height-m 0.95?"]),
        ("--stride-scale", "110", ["--stride-scale 110", "factor", "did you mean --stride-scale 1.1?"]),
    ],
)
def test_out_of_range_settings_name_the_flag_and_the_unit(
    walk_csv: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, words: list[str]
) -> None:
    assert main(["analyze", str(walk_csv), flag, value]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "_m=" not in err and "stride_scale" not in err, err  # not the core's parameter names
    for w in words:
        assert w in err, err
    if "did you mean" not in words[-1]:
        assert "did you mean" not in err  # 0.17 m is no body height either


def test_one_stride_is_singular() -> None:
    from gait.analysis import Analysis
    from gait.types import StrideEvent
    from service.commands.analyze import render_summary

    stride = StrideEvent(0.0, 1.1, 1.3, 109.0, 1.18, 0.3, "inverted_pendulum")
    text = render_summary(
        "one.csv", Analysis(strides=[stride], duration_s=2.0, placement=Placement.LOWER_BACK), target_stride_m=1.0
    )
    assert "0 of 1 stride length trusted for coaching" in text
    assert "0 of 0 judged strides longer than" in text and "(1 of 1 not judged" in text
    sure = StrideEvent(0.0, 1.1, 1.3, 109.0, 1.18, 0.9, "inverted_pendulum")
    text = render_summary(
        "one.csv", Analysis(strides=[sure], duration_s=2.0, placement=Placement.LOWER_BACK), target_stride_m=1.0
    )
    assert "1 of 1 judged stride longer than" in text and "(0 of 1 not judged" in text


@pytest.mark.parametrize(
    ("content", "flag", "file_remedy"),
    [
        # a missing column: no flag can make it up, so none is offered
        ("time_s,foo,bar\n0,1,2\n0.01,1,2\n", None, "Name the columns in the header"),
        (
            "time,acc_x,acc_y,acc_z\n" + "".join(f"{i * 50_000_000_000},0.1,0.2,9.8\n" for i in range(500)),
            "--time-unit",
            "e.g. 'time_s' or 'time_ms'",
        ),
        (
            "samples,acc_x,acc_y,acc_z\n" + "".join(f"{i},0.1,0.2,9.8\n" for i in range(500)),
            "--rate-hz",
            "add a column time_s = sample number / sampling rate",
        ),
    ],
)
def test_error_hints_name_only_options_the_command_has(
    tmp_path: Path, content: str, flag: str | None, file_remedy: str, capsys
) -> None:
    """Every command that reads a file has --acc-unit and --time-unit (the readers' hints name them); a hint naming
    an option the command lacks would be dropped (`gait scan`, `gait live` read no files)."""
    path = tmp_path / "odd.csv"
    path.write_text(content)
    for argv in (
        ["analyze", str(path), "--data-dir", str(tmp_path / "data")],
        ["calibrate", str(path), "--distance-m", "40", "--data-dir", str(tmp_path / "data")],
        ["convert", str(path), str(tmp_path / "out.csv")],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert file_remedy in err, err
        if flag is None:
            assert "command line:" not in err and "--acc-unit" not in err, err
        else:
            assert f"command line: or {flag}" in err.replace("pass ", ""), err


LONG_WALK = REPO.parent / "shared" / "data" / "dev" / "phone_exports" / "sensor_logger_android_header_edited"
LONG_WALK = LONG_WALK / "Longwalking.csv"


@pytest.mark.skipif(not LONG_WALK.is_file(), reason=f"shared dev data not found at {LONG_WALK}")
def test_analyze_and_calibrate_take_the_unit_the_note_on_a_unitless_csv_names(tmp_path: Path, capsys) -> None:
    """A generic CSV whose header names no unit is read in the unit the data's size gives, and the note says how to
    put a wrong guess right: `gait analyze --acc-unit` must then exist (it did only on `gait convert`)."""
    assert main(["analyze", str(LONG_WALK), "--no-profile"]) == 0
    note = next(ln for ln in capsys.readouterr().out.splitlines() if "names no acceleration unit" in ln)
    assert "read as m/s^2" in note and "(command line: or pass --acc-unit ms2|g|mg)" in note, note
    assert main(["analyze", str(LONG_WALK), "--no-profile", "--acc-unit", "ms2"]) == 0
    out = capsys.readouterr().out
    assert "names no acceleration unit" not in out and "steps/min" in out  # the unit given: nothing guessed
    # the unit reaches the reader: these m/s^2 are not milli-g, as their gravity says
    assert main(["analyze", str(LONG_WALK), "--no-profile", "--acc-unit", "mg"]) == 2
    err = capsys.readouterr().err
    assert "--acc-unit says the acceleration is in milli-g" in err and "pass --acc-unit ms2" in err
    data = tmp_path / "data"
    argv = ["calibrate", str(LONG_WALK), "--distance-m", "300", "--dry-run", "--data-dir", str(data)]
    assert main([*argv, "--acc-unit", "ms2"]) == 0
    assert "personal stride-length factor" in capsys.readouterr().out
    assert main([*argv, "--acc-unit", "g"]) == 2  # gravity 9.8 read as g was "96.2, which fits no unit"
    err = capsys.readouterr().err
    assert "says the acceleration is in g, but its gravity reads 10.3, as m/s^2 does" in err and "fits no" not in err
    assert not data.exists()


def test_the_reading_options_are_one_definition() -> None:
    """analyze, calibrate and convert offer the same --format, --acc-unit and --time-unit (one helper, not copies)."""
    from service.cli import _build_parsers

    commands = _build_parsers()[1]

    def options(name: str) -> dict[str, tuple[str, ...]]:
        return {
            a.option_strings[0]: tuple(a.choices or ())
            for a in commands[name]._actions
            if a.option_strings and a.option_strings[0] in ("--format", "--acc-unit", "--time-unit", "--rate-hz")
        }

    assert options("convert")["--acc-unit"] == ("ms2", "g", "mg")
    assert options("convert")["--time-unit"] == ("s", "ms", "us", "ns")
    assert "--rate-hz" in options("analyze")
    assert options("analyze") == options("calibrate") == options("convert")


SHARED_DEV = REPO.parent / "shared" / "data" / "dev"
MOBGAP_CSV = SHARED_DEV / "mobgap_lab/example_data/data_csv/HA/001/TimeMeasure1_Test5_Trial1.csv"
IPOL_LB = SHARED_DEV / "ipol_healthy_gait/GaitData/1-3_lb.txt.gz"


@pytest.mark.skipif(not SHARED_DEV.is_dir(), reason=f"shared dev data not found at {SHARED_DEV}")
def test_rate_hz_times_a_sample_counter_in_analyze_convert_and_calibrate(tmp_path: Path, capsys) -> None:
    """mobgap's CSV copy numbers its 1246 samples at 100 Hz (SOURCE.txt): 12.45 s; IPOL's states its rate."""
    base = ["--placement", "lower_back", "--no-profile"]
    assert main(["analyze", str(MOBGAP_CSV), *base]) == 2
    assert "--rate-hz <Hz>" in capsys.readouterr().err
    assert main(["analyze", str(MOBGAP_CSV), *base, "--rate-hz", "100"]) == 0
    assert "TimeMeasure1_Test5_Trial1.csv: 12.4 s recorded" in capsys.readouterr().out
    out = tmp_path / "mobgap.csv"
    assert main(["convert", str(MOBGAP_CSV), str(out), "--rate-hz", "100"]) == 0
    converted = load(out)  # a gait CSV with time_s: uploadable as it is
    assert converted.n_samples == 1246 and converted.duration_s == pytest.approx(12.45)
    with pytest.raises(SystemExit) as stop:  # argparse's own refusal
        main(["convert", str(MOBGAP_CSV), str(out), "--rate-hz", "0"])
    assert stop.value.code == 2
    assert "'0' is no sampling rate" in capsys.readouterr().err
    # calibrate reads with the rate too: the stated 100 Hz and --rate-hz 100 agree, 120 Hz shortens every stride
    argv = ["calibrate", str(IPOL_LB), "--distance-m", "20", "--placement", "lower_back", "--height-m", "1.75"]
    argv += ["--dry-run", "--data-dir", str(tmp_path / "data")]
    factors = []
    for extra in ([], ["--rate-hz", "100"], ["--rate-hz", "120"]):
        assert main([*argv, *extra]) == 0
        factors.append(capsys.readouterr().out.split("factor ")[1].split()[0])
    assert factors[0] == factors[1] != factors[2]
    assert not (tmp_path / "data").exists()


def test_a_phone_apps_export_is_assumed_in_a_pocket_not_on_the_lower_back(tmp_path: Path, capsys) -> None:
    """A phone is carried in a pocket far more often than strapped to the back: the last resort says so."""
    from tests.ingest import exports as ex
    from tests.service.conftest import synthetic_walk

    walk = synthetic_walk(duration_s=30.0)
    export = tmp_path / "TotalAcceleration.csv"  # a Sensor Logger export's accelerometer file
    export.write_text(ex.sl_axis_csv(walk.time_s, walk.acc_ms2))
    assert main(["analyze", str(export), "--no-profile", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "pocket"
    assert any(n.startswith("placement pocket assumed (a phone app's recording") for n in doc["notes"]), doc["notes"]
    # a body-worn sensor's file (a gait CSV) keeps the lower back; --placement beats both
    gait_csv = tmp_path / "walk.csv"
    write_gait_csv(walk, gait_csv)
    assert main(["analyze", str(gait_csv), "--no-profile", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["placement"] == "lower_back"
    assert main(["analyze", str(export), "--no-profile", "--placement", "hand", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["placement"] == "hand"


def test_a_recording_that_is_all_ride_says_so_and_prints_every_note(tmp_path: Path, capsys) -> None:
    """A Sensor Logger export of a real walk whose GPS track is at 15 m/s throughout: no walking is left, and the
    summary says why (the ride) instead of a bare "no walking found"; the notes of the JSON that say why are in the
    summary too, the ride's first."""
    from tests.service.test_upload_riding import export

    path = export(tmp_path, ride_s=(0.0, 1000.0))
    doc_path = tmp_path / "out.json"
    assert main(["analyze", str(path), "--placement", "hand", "--no-profile", "--json", str(doc_path)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(doc_path.read_text())
    assert doc["summary"]["steps"] == 0 and len(doc["riding"]) == 1
    assert "no walking found, only a ride" in out
    # fixes every second from 0 to 145 s, all at 15 m/s
    assert "note: GPS: 2 min 25 s at 54 km/h (a vehicle, not walking)" in out
    # every note of the JSON but how stride lengths would have been measured (with no walking it says nothing), the
    # GPS note first
    said = [n for n in doc["notes"] if not n.startswith("stride length:")]
    assert said and all(f"note: {n}" in out for n in said)
    assert out.split("note: ")[1].startswith("GPS: ")
    assert "note: stride length:" not in out


GENEACTIV_LUMBAR = REPO.parent / "shared" / "data" / "dev" / "gaitpy_demo_geneactiv_lumbar" / "demo_data.csv"


@pytest.mark.skipif(not GENEACTIV_LUMBAR.is_file(), reason="shared data not present (a fresh clone has none)")
def test_a_placement_the_files_header_states_is_said_with_where_it_came_from(tmp_path: Path, capsys) -> None:
    """gaitpy's GENEActiv demo says 'Device Location Code,back': the lower back, and the summary and notes say why."""
    empty = ["--data-dir", str(tmp_path / "none")]  # no profile: the file alone says where
    assert main(["analyze", str(GENEACTIV_LUMBAR), *empty, "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "lower_back"
    said = "placement lower_back from the file's header (Device Location Code 'back')"
    assert doc["notes"][0].startswith(said) and "--placement" in doc["notes"][0], doc["notes"]
    assert main(["analyze", str(GENEACTIV_LUMBAR), *empty]) == 0
    assert f"note: {said}" in capsys.readouterr().out
    # named by the walker: nothing to say about where it came from
    assert main(["analyze", str(GENEACTIV_LUMBAR), *empty, "--placement", "waist", "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "waist" and not any(n.startswith("placement ") for n in doc["notes"]), doc["notes"]


@pytest.mark.skipif(not GENEACTIV_LUMBAR.is_file(), reason="shared data not present (a fresh clone has none)")
def test_a_body_location_the_header_names_is_used_or_asked_for_never_replaced(tmp_path: Path, capsys) -> None:
    """GENEActiv PC software's location codes: a thigh strap is analysed as a pocket (it moves as a trouser pocket
    does); an ankle or upper arm has no placement here, so the walker is asked, not given lower-back figures."""
    raw = GENEACTIV_LUMBAR.read_bytes()
    assert b"Device Location Code,back" in raw

    def at(code: str) -> Path:
        path = tmp_path / f"{code.replace(' ', '_')}.csv"
        path.write_bytes(raw.replace(b"Device Location Code,back", b"Device Location Code," + code.encode()))
        return path

    # a profile whose usual placement is the lower back must not decide for a sensor the file puts elsewhere
    from service.store import Store

    (tmp_path / "data").mkdir()
    store = Store(tmp_path / "data" / "gait.sqlite3").open()
    store.put_profile({"placement": "lower_back", "body_height_m": 1.75})
    store.close()
    profile = ["--data-dir", str(tmp_path / "data")]
    assert main(["analyze", str(at("left thigh")), *profile, "--json", "-"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["placement"] == "pocket", doc["notes"]
    assert doc["notes"][0].startswith("placement pocket from the file's header (Device Location Code 'left thigh')")
    for code in ("right ankle", "Upper Arm"):
        assert main(["analyze", str(at(code)), *profile]) == 2
        err = capsys.readouterr().err
        assert f"the file's header says the sensor was worn on the '{code}', a place this version has no" in err, err
        assert "pass the nearest with --placement" in err and "Traceback" not in err
    assert main(["analyze", str(at("right ankle")), *profile, "--placement", "foot", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["placement"] == "foot"
    assert main(["analyze", str(at("not specified")), *profile, "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["placement"] == "lower_back"


def test_rows_missing_a_value_are_dropped_and_the_note_printed(tmp_path: Path, capsys) -> None:
    lines = (Path(__file__).resolve().parents[1] / "sample_recordings" / "oxford_phone_in_hand.csv").read_text()
    lines = lines.splitlines()
    for row in range(100, 14000, 200):  # 0.5 % of the rows lose their acc_y
        fields = lines[row].split(",")
        lines[row] = ",".join([*fields[:2], "", fields[3]])
    path = tmp_path / "hand.csv"
    path.write_text("\n".join(lines) + "\n")
    assert main(["analyze", str(path), "--placement", "hand"]) == 0
    out = capsys.readouterr().out
    assert "note: hand.csv: dropped 70 rows with a missing or non-finite value" in out and "first on line 101" in out


def test_a_gt3x_is_refused_naming_actilife_and_exit_2(tmp_path: Path) -> None:
    from tests.ingest.test_raw_device_files import gt3x

    path = tmp_path / "walk.gt3x"
    path.write_bytes(gt3x())
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "analyze", str(path), "--placement", "hand"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "walk.gt3x: this is an ActiGraph .gt3x file" in proc.stderr and "ActiLife" in proc.stderr


def test_a_metabase_session_zip_is_analysed_as_its_gait_csv(tmp_path: Path, capsys) -> None:
    foot = test_metabase._foot()
    session = exports.write_files(tmp_path / "session", test_metabase._session(foot), as_zip=True)
    assert main(["analyze", str(foot.path), "--placement", "foot"]) == 0
    from_csv = capsys.readouterr().out
    assert main(["analyze", str(session), "--placement", "foot"]) == 0
    from_zip = capsys.readouterr().out
    # the same walk, strides, cadence and lengths (the gyroscope read, so the foot's model applies), bar its name
    assert from_zip.split("\n", 1)[1] == from_csv.split("\n", 1)[1] and "zero-velocity-update" in from_zip


SENSOR_LOGGER_FOLDER = REPO.parent / "shared" / "data" / "dev" / "phone_exports" / "sensor_logger_android_v1.60.0"


@pytest.mark.skipif(not GENEACTIV_LUMBAR.is_file(), reason="shared data not present (a fresh clone has none)")
def test_convert_says_the_placement_gait_csv_cannot_keep(tmp_path: Path, capsys) -> None:
    """QA: `gait convert` dropped what the export said of the sensor's place (a header's placement, or being a phone's
    export) without a word, and the converted file was then analysed as a lower-back sensor."""
    out = tmp_path / "out.csv"
    assert main(["convert", str(GENEACTIV_LUMBAR), str(out)]) == 0
    assert "gait CSV holds no placement, so say it (lower_back, as the export said)" in capsys.readouterr().err
    assert load(out).placement is None  # what the note is about: the samples alone carry no placement

    assert main(["convert", str(SENSOR_LOGGER_FOLDER / "recording_1"), str(out)]) == 0
    assert "so say it (pocket or hand, where the phone was) when you analyse this file" in capsys.readouterr().err

    assert main(["convert", str(out), str(tmp_path / "again.csv")]) == 0  # a gait CSV had nothing to lose
    assert "holds no placement" not in capsys.readouterr().err
