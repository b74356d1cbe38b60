"""`gait calibrate`: a personal factor from a known distance or GPS, saved to the profile and used afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from gait.analysis import analyze
from gait.types import GpsTrack, Placement, Recording
from ingest.gait_csv import read_gait_csv, write_gait_csv
from service.cli import main
from service.commands.calibrate import gps_scale
from tests.gait.synthetic import foot_walk_signal, walk_signal
from tests.sample_data import sample

USUAL_STEP_M = 0.7
"""A usual adult step at a usual pace (the gaitmap walker's strides are 1.34-1.40 m, the lab walker's 1.26 m)."""


def straight_walk_m() -> float:
    """The lab's straight walk (mobgap_lower_back_straight_walk), first to last reference contact: the mean INDIP
    stride length times the strides its contacts span (trunk contacts alternate feet), about 5 m."""
    walk = sample("mobgap_lower_back_straight_walk")
    return float(np.mean([length for _, _, length in walk.strides])) * (len(walk.initial_contacts_s) - 1) / 2


def long_walk_m() -> float:
    """The phone-in-a-back-pocket walk (oxford_phone_back_pocket, about 110 s of walking): its reference has steps
    and no lengths, so its steps at a usual step length, about 140 m."""
    return (len(sample("oxford_phone_back_pocket").initial_contacts_s) - 1) * USUAL_STEP_M


@pytest.fixture
def walk(tmp_path: Path) -> tuple[Path, Recording]:
    t, acc = walk_signal(step_hz=1.8, walk_s=30.0)
    rec = Recording(time_s=t, acc_ms2=acc, placement="lower_back")
    path = tmp_path / "walk.csv"
    write_gait_csv(rec, path)
    return path, rec


def _distance(path: Path, data_dir: Path, capsys) -> float:
    assert main(["analyze", str(path), "--json", "-", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)["summary"]["distance_m"]


def test_known_distance_calibration_is_saved_and_used(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    assert not (data_dir / "gait.sqlite3").exists()  # analysing never creates a database
    assert main(["calibrate", str(path), "--distance-m", f"{model_m * 1.2:.3f}", "--data-dir", str(data_dir)]) == 0
    factor = float(capsys.readouterr().out.split("factor ")[1].split()[0])
    assert factor == pytest.approx(1.2, abs=0.005)
    assert _distance(path, data_dir, capsys) == pytest.approx(model_m * 1.2, rel=0.01)
    assert main(["analyze", str(path), "--json", "-", "--data-dir", str(data_dir), "--no-profile"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["distance_m"] == pytest.approx(model_m, rel=1e-3)


def test_dry_run_saves_nothing(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    assert main(["calibrate", str(path), "--distance-m", str(model_m), "--dry-run", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "factor 1.00" in out
    assert "not saved (--dry-run)" in out and "saved to your profile" not in out  # says so, not just silent
    assert not (data_dir / "gait.sqlite3").exists()


def test_implausible_distance_is_refused_naming_the_distances_that_fit(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    model_m = _distance(path, tmp_path / "probe", capsys)
    assert main(["calibrate", str(path), "--distance-m", "5000", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    lo_m, hi_m = 0.5 * model_m, 1.5 * model_m  # a factor corrects the model's distance by up to 50 % either way
    assert f"5000 m does not fit this walk: the model measured it at about {model_m:.0f} m" in err, err
    assert f"between about {lo_m:.0f} and {hi_m:.0f} m" in err and "Nothing was saved." in err, err
    assert not (tmp_path / "gait.sqlite3").exists()
    # kilometres typed for metres: the number to enter
    km = model_m / 1000.0
    assert main(["calibrate", str(path), "--distance-m", f"{km:.3f}", "--data-dir", str(tmp_path)]) == 2
    assert f"--distance-m takes metres: {km:.3f} km = {km * 1000:.0f} m" in capsys.readouterr().err


@pytest.mark.parametrize("distance", ["inf", "nan", "-40", "0"])
def test_a_distance_that_is_no_positive_number_is_refused_as_such(walk, tmp_path: Path, distance, capsys) -> None:
    path, _ = walk
    assert main(["calibrate", str(path), "--distance-m", distance, "--data-dir", str(tmp_path)]) == 2
    assert "the known distance must be a positive number of metres" in capsys.readouterr().err


def test_a_shoe_sensor_calibrated_as_lower_back_is_refused_for_its_placement(tmp_path: Path, capsys) -> None:
    # gaitmap's shoe IMU swings at 300+ deg/s: given as a lower-back sensor, its distance is no 0.5-1.5 of a real one;
    # the walker must be told to check the placement, not sent to re-measure a right distance
    path = Path(__file__).resolve().parents[1] / "sample_recordings" / "gaitmap_left_foot.csv"
    args = ["calibrate", str(path), "--placement", "lower_back", "--height-m", "1.75", "--data-dir", str(tmp_path)]
    assert main([*args, "--distance-m", "3000"]) == 2
    err = capsys.readouterr().err
    assert "gives no plausible factor for a lower_back sensor, and the placement is the likely cause" in err, err
    assert "far faster than a sensor on the lower back or waist" in err and "--placement foot" in err, err
    assert "Traceback" not in err and not (tmp_path / "gait.sqlite3").exists()
    # a distance that happens to fit is calibrated, with the doubt said before the factor
    assert main([*args, "--distance-m", "40", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.index("Warning: placement check: while walking the gyroscope turned") < out.index("personal stride"), out


def test_gps_reference_gives_the_factor_between_gps_and_model_strides() -> None:
    t, acc = walk_signal(step_hz=1.8, walk_s=100.0, rest_before_s=2.0)
    rec = Recording(time_s=t, acc_ms2=acc, placement="lower_back")
    result = analyze(rec)
    model_stride = float(np.mean([s.length_m for s in result.strides]))
    # A GPS track that moves at the speed of strides 1.1 times the model's, one fix a second, along the equator.
    speed = 1.1 * model_stride * 1.8 / 2
    fix_t = np.arange(0.0, t[-1], 1.0)
    walking = np.clip(fix_t - 2.0, 0.0, 100.0)
    lon = np.rad2deg(speed * walking / 6_371_008.8)
    gps_rec = Recording(
        time_s=t,
        acc_ms2=acc,
        placement="lower_back",
        gps=GpsTrack(time_s=fix_t, lat_deg=np.zeros_like(fix_t), lon_deg=lon),
    )
    scale, bouts = gps_scale(gps_rec, result)
    assert bouts == 1 and scale == pytest.approx(1.1, abs=0.02)


def test_gps_stride_length_is_reported_beside_the_sensor_estimate() -> None:
    t, acc = walk_signal(step_hz=1.8, walk_s=100.0, rest_before_s=2.0)
    fix_t = np.arange(0.0, t[-1], 1.0)
    speed = 1.4 * 1.8 / 2  # strides of 1.4 m at 1.8 steps/s
    lon = np.rad2deg(speed * np.clip(fix_t - 2.0, 0.0, 100.0) / 6_371_008.8)
    rec = Recording(
        time_s=t,
        acc_ms2=acc,
        placement="lower_back",
        gps=GpsTrack(time_s=fix_t, lat_deg=np.zeros_like(fix_t), lon_deg=lon),
    )
    doc = analyze(rec).to_dict()
    assert doc["summary"]["gps_stride_length_m"] == pytest.approx(1.4, abs=0.03)
    assert doc["bouts"][0]["gps_stride_length_m"] == pytest.approx(1.4, abs=0.03)
    assert (
        analyze(Recording(time_s=t, acc_ms2=acc, placement="lower_back")).to_dict()["summary"]["gps_stride_length_m"]
        is None
    )


def test_height_in_centimetres_names_the_flag_and_the_unit(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    assert main(["calibrate", str(path), "--distance-m", "30", "--height-m", "175", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--height-m 175" in err and "metres" in err and "did you mean --height-m 1.75?" in err
    assert "body_height_m" not in err


@pytest.mark.parametrize("height_m", ["0.9", "2.45"])
def test_any_height_the_command_line_accepts_the_profile_reads_back(walk, tmp_path: Path, capsys, height_m) -> None:
    # One range for the command line, the profile and the coach: a height saved by calibrate that the profile
    # refused would break every later read of the profile (API, uploads, live walks).
    from service.coaching import load_profile
    from service.store import Store

    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    args = ["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--height-m", height_m, "--data-dir"]
    assert main([*args, str(data_dir)]) == 0
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        assert load_profile(store).body_height_m == pytest.approx(float(height_m))
    finally:
        store.close()
    assert main(["analyze", str(path), "--json", "-", "--data-dir", str(data_dir)]) == 0


def test_a_calibration_is_kept_for_its_placement_and_leaves_the_usual_placement(walk, tmp_path: Path, capsys) -> None:
    from gait.types import Placement
    from service.coaching import load_profile
    from service.pipeline import personal_scale
    from service.store import Store

    path, _ = walk
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = Store(data_dir / "gait.sqlite3").open()
    store.put_profile({"placement": "lower_back", "body_height_m": 1.75})
    store.close()
    model_m = _distance(path, data_dir, capsys)  # lower back, as the profile says
    # a phone calibration walk (the same signal, told it was in a pocket)
    args = ["calibrate", str(path), "--distance-m", "40", "--placement", "pocket", "--data-dir", str(data_dir)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "your usual sensor placement stays lower back" in out and "only to walks with a pocket sensor" in out
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        profile = load_profile(store)
    finally:
        store.close()
    assert profile.placement is Placement.LOWER_BACK  # what the Upload page preselects
    assert list(profile.stride_scales) == [Placement.POCKET]
    # the pocket factor is not applied to lower-back walks, by analyze or by uploads
    assert _distance(path, data_dir, capsys) == pytest.approx(model_m, rel=1e-6)
    assert personal_scale(profile.stride_scales, Placement.LOWER_BACK) is None
    assert personal_scale(profile.stride_scales, Placement.POCKET) == profile.stride_scales[Placement.POCKET]


def test_a_calibration_sets_the_usual_placement_only_when_none_was_set_and_says_so(
    walk, tmp_path: Path, capsys
) -> None:
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    args = ["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--placement", "lower_back"]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    assert "your usual sensor placement was not set: it is now lower_back" in capsys.readouterr().out


def test_calibrate_says_which_placement_it_assumed_when_the_file_and_command_name_none(
    walk, tmp_path: Path, capsys
) -> None:
    """A gait CSV does not say where the sensor was: the factor is for the placement analyze would use, and the
    command says where that came from and how to name another, before anything is saved."""
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    assert main(["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--data-dir", str(data_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Note: placement lower_back assumed" in out and "--placement" in out
    assert out.index("Note: placement") < out.index("saved to your profile")
    assert main(["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--data-dir", str(data_dir)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Note: placement lower_back from your profile's usual sensor placement" in out
    assert (
        main(
            [
                *["calibrate", str(path), "--distance-m", f"{model_m:.3f}"],
                "--placement",
                "lower_back",
                "--data-dir",
                str(data_dir),
            ]
        )
        == 0
    )
    assert "Note: placement" not in capsys.readouterr().out


def _calibrate(path: Path, data_dir: Path, distance_m: float, placement: str, capsys) -> str:
    args = ["calibrate", str(path), "--distance-m", f"{distance_m:.6f}", "--placement", placement]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    return capsys.readouterr().out


def _distance_at(path: Path, placement: str, data_dir: Path, capsys) -> float:
    """`gait analyze`'s distance (metres, to 0.1 m) of a gait CSV (which does not say where the sensor was)."""
    assert main(["analyze", str(path), "--placement", placement, "--json", "-", "--data-dir", str(data_dir)]) == 0
    return json.loads(capsys.readouterr().out)["summary"]["distance_m"]


def test_calibrating_pocket_then_foot_keeps_both_each_for_its_placement(tmp_path: Path, capsys) -> None:
    from service.coaching import load_profile
    from service.store import Store

    # a phone walk in the pocket and a shoe sensor's walk (with its gyroscope)
    t, acc = walk_signal(step_hz=1.8, walk_s=30.0)
    pocket_rec = Recording(time_s=t, acc_ms2=acc, placement="pocket")
    t, acc, gyr, _ = foot_walk_signal(n_strides=20)  # 25 m: 20 m or more calibrates (rough under 100 m)
    foot_rec = Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr, placement="foot")
    pocket, foot = tmp_path / "pocket.csv", tmp_path / "foot.csv"
    write_gait_csv(pocket_rec, pocket)
    write_gait_csv(foot_rec, foot)
    # the models' own distances (no factor), to the metre fraction the factor is fitted against
    model_m = {"pocket": analyze(pocket_rec).distance_m, "foot": analyze(foot_rec).distance_m}
    assert min(model_m.values()) > 20.0
    data_dir = tmp_path / "data"
    back_m = _distance_at(pocket, "lower_back", data_dir, capsys)  # the pocket signal, told it was at the back

    out = _calibrate(pocket, data_dir, 1.07 * model_m["pocket"], "pocket", capsys)
    assert "your stride-length factors now: pocket 1.070" in out
    out = _calibrate(foot, data_dir, 0.98 * model_m["foot"], "foot", capsys)
    assert "your stride-length factors now: foot 0.980, pocket 1.070" in out and "replaces" not in out

    # each walk is scaled by its own placement's factor, a lower-back walk by none
    assert _distance_at(pocket, "pocket", data_dir, capsys) == pytest.approx(1.07 * model_m["pocket"], abs=0.06)
    assert _distance_at(foot, "foot", data_dir, capsys) == pytest.approx(0.98 * model_m["foot"], abs=0.06)
    assert _distance_at(pocket, "lower_back", data_dir, capsys) == back_m

    # calibrating the pocket again replaces the pocket factor alone, and says so
    out = _calibrate(pocket, data_dir, 1.10 * model_m["pocket"], "pocket", capsys)
    assert "your stride-length factors now: foot 0.980, pocket 1.100" in out
    assert "it replaces your earlier pocket factor 1.070" in out
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        scales = {p.value: f for p, f in load_profile(store).stride_scales.items()}
    finally:
        store.close()
    assert scales == pytest.approx({"pocket": 1.10, "foot": 0.98}, abs=1e-4)


def test_calibrating_keeps_a_factor_saved_by_an_earlier_version(walk, tmp_path: Path, capsys) -> None:
    from service.store import Store

    path, rec = walk
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    store = Store(data_dir / "gait.sqlite3").open()
    # the single factor of earlier versions, for a pocket phone (written as they wrote it, past the migration)
    store.put_profile({"placement": "lower_back", "stride_scale": 1.05, "stride_scale_placement": "pocket"})
    store.close()
    out = _calibrate(path, data_dir, 0.95 * analyze(rec).distance_m, "lower_back", capsys)
    assert "your stride-length factors now: lower_back 0.950, pocket 1.050" in out
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        saved = store.get_profile()
    finally:
        store.close()
    assert saved["stride_scales"] == pytest.approx({"lower_back": 0.95, "pocket": 1.05}, abs=1e-4)
    assert "stride_scale" not in saved and "stride_scale_placement" not in saved


def test_gait_live_uses_the_factor_of_its_placement_and_its_demo_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import argparse

    from service.commands.calibrate import saved_profile
    from service.commands.live import walk_settings
    from service.settings import Settings
    from service.store import Store

    def profile_scale(placement: str) -> float | None:
        args = argparse.Namespace(placement=placement, demo=False, height_m=None, stride_scale=None)
        return walk_settings(args, saved_profile(Settings.from_env()), replayed=None).stride_scale

    data_dir = tmp_path / "data"
    monkeypatch.setenv("GAIT_DATA_DIR", str(data_dir))
    assert profile_scale("pocket") is None and not data_dir.exists()  # no profile yet: none, and nothing created
    store = Store(data_dir / "gait.sqlite3").open()
    store.put_profile({"placement": "lower_back", "stride_scales": {"pocket": 1.07, "lower_back": 1.3}})
    store.close()
    assert (profile_scale("pocket"), profile_scale("foot"), profile_scale("lower_back")) == (1.07, None, 1.3)
    # the demo replays somebody else's walk at the lower back: the walker's lower-back factor is not applied
    journal_dir = tmp_path / "journal"
    args = ["live", "--demo", "--json", "--seconds", "1", "--speed", "20", "--journal-dir", str(journal_dir)]
    assert main(args) == 0
    capsys.readouterr()
    (meta,) = journal_dir.glob("*.json")
    assert json.loads(meta.read_text())["stride_scale"] is None


def test_analyze_uses_the_usual_placement_that_calibrate_set_and_says_so(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance_at(path, "pocket", data_dir, capsys)
    args = ["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--placement", "pocket", "--height-m", "1.8"]
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "your usual sensor placement was not set: it is now pocket" in out
    assert "your body height 1.80 m is saved to your profile" in out  # saved to the profile: said, never silent
    assert main(["analyze", str(path), "--data-dir", str(data_dir)]) == 0  # a gait CSV does not say where it was
    out = capsys.readouterr().out
    assert "placement pocket" in out.splitlines()[0] and "lower_back assumed" not in out
    assert "placement pocket from your profile's usual sensor placement" in out and "--placement" in out
    assert main(["analyze", str(path), "--json", "-", "--data-dir", str(data_dir)]) == 0
    methods = {s["method"] for s in json.loads(capsys.readouterr().out)["strides"]}
    recording = read_gait_csv(path)
    assert methods == {s.method for s in analyze(recording, placement="pocket").strides}  # the phone model
    assert methods != {s.method for s in analyze(recording, placement="lower_back").strides}  # not the pendulum
    # --placement still wins, and --no-profile leaves the profile's placement out too
    assert main(["analyze", str(path), "--placement", "lower_back", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "placement lower_back" in out.splitlines()[0] and "usual sensor placement" not in out
    assert main(["analyze", str(path), "--no-profile", "--data-dir", str(data_dir)]) == 0
    assert "placement lower_back assumed" in capsys.readouterr().out


def test_calibrate_says_when_it_replaces_the_saved_height(walk, tmp_path: Path, capsys) -> None:
    path, _ = walk
    data_dir = tmp_path / "data"
    model_m = _distance(path, data_dir, capsys)
    for height, said in (("1.8", "saved to your profile (it had none)"), ("1.7", "1.70 m replaces 1.80 m")):
        args = ["calibrate", str(path), "--distance-m", f"{model_m:.3f}", "--height-m", height]
        assert main([*args, "--data-dir", str(data_dir)]) == 0
        assert said in capsys.readouterr().out


@pytest.mark.parametrize("placement", ["wrist", "chest"])
def test_a_placement_without_a_length_model_says_so_plainly(walk, tmp_path: Path, placement: str, capsys) -> None:
    """Not "no stride lengths were estimated ... check the placement": no model fits it, nothing to calibrate, and
    the placements that can be calibrated are named. Nothing is saved."""
    path, _ = walk
    data_dir = tmp_path / "data"
    args = ["calibrate", str(path), "--placement", placement, "--distance-m", "40", "--data-dir", str(data_dir)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"a {placement} sensor has no stride-length model" in err
    assert "no factor to calibrate" in err and "check the placement" not in err
    for calibratable in ("lower_back", "waist", "foot", "pocket", "hand"):
        assert calibratable in err.split("sensor at ")[1]
    assert not (data_dir / "gait.sqlite3").exists()


def test_a_short_lab_walk_is_refused_saying_how_long_to_walk(tmp_path: Path, capsys) -> None:
    """7 strides of a real straight walk: a plausible factor (the model's distance is near the walk's), refused for
    the walk's length, with what to do; nothing saved, no database created."""
    walk = sample("mobgap_lower_back_straight_walk")
    distance_m = straight_walk_m()
    assert 4.0 < distance_m < 6.0
    data_dir = tmp_path / "data"
    for extra in (["--dry-run"], []):
        args = ["calibrate", str(walk.path), "--distance-m", f"{distance_m:.1f}", "--placement", "lower_back"]
        assert (
            main([*args, "--height-m", str(walk.reference["body_height_m"]), *extra, "--data-dir", str(data_dir)]) == 2
        )
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1
        assert f"a {distance_m:.1f} m walk is too short to calibrate" in err and "implausible" not in err
        assert "starting and stopping strides" in err
        assert (
            "walk at least 100 m at your usual pace (for example a 400 m track lap, or a route measured on a map)"
            in err
        )
    assert not (data_dir / "gait.sqlite3").exists()


def test_a_40_m_walk_is_calibrated_and_said_to_be_rough(tmp_path: Path, capsys) -> None:
    """The gaitmap walk (2 x 20 m with a turn, a real shoe sensor): the factor is fitted and saved, and the command
    says it is rough and what to walk instead, in the dry run and when saving."""
    from service.coaching import load_profile
    from service.store import Store

    path = sample("gaitmap_left_foot").path
    data_dir = tmp_path / "data"
    for extra in (["--dry-run"], []):
        args = ["calibrate", str(path), "--distance-m", "40", "--placement", "foot", *extra]
        assert main([*args, "--data-dir", str(data_dir)]) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert "Warning: a 40 m walk gives a rough factor: its starting and stopping strides" in out
        assert (
            "walk at least 100 m at your usual pace (for example a 400 m track lap, or a route measured on a map)"
            in out
        )
        assert out.index("personal stride-length factor") < out.index("Warning:")
    assert out.index("Warning:") < out.index("saved to your profile")
    store = Store(data_dir / "gait.sqlite3").open()
    try:
        assert Placement.FOOT in load_profile(store).stride_scales  # rough, but saved
    finally:
        store.close()


def test_a_long_walk_is_calibrated_without_a_warning(tmp_path: Path, capsys) -> None:
    walk = sample("oxford_phone_back_pocket")
    assert walk.initial_contacts_s[-1] - walk.initial_contacts_s[0] > 100.0  # walking, not standing, for so long
    distance_m = long_walk_m()
    assert distance_m > 100.0
    args = ["calibrate", str(walk.path), "--distance-m", f"{distance_m:.0f}", "--placement", "pocket"]
    assert main([*args, "--data-dir", str(tmp_path / "data")]) == 0
    out = capsys.readouterr().out
    assert "personal stride-length factor" in out and "saved to your profile" in out
    assert "Warning" not in out and "rough" not in out


def test_calibrate_says_how_many_stored_walks_are_now_out_of_date_as_the_dashboard_counts_them(
    tmp_path: Path, capsys
) -> None:
    """Two real lower-back walks uploaded with no height and no factor: a calibration giving both makes both out of
    date (the API's count too), and says how to analyse them again; calibrating again to the same factor and height
    once they are leaves none out of date."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    repo = Path(__file__).resolve().parents[1]
    walks = [repo / "sample_recordings" / f"mobgap_lower_back_daily_living{n}.csv" for n in ("", "_2")]
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, demo=False, samples_dir=tmp_path / "no-samples")
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        for path in walks:
            files = {"file": (path.name, path.read_bytes())}
            assert client.post("/api/uploads", files=files, data={"placement": "lower_back"}).status_code == 201
        assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 0
        argv = ["calibrate", str(walks[1]), "--placement", "lower_back", "--height-m", "1.76", "--data-dir"]
        assert main(["analyze", str(walks[1]), "--no-profile", "--height-m", "1.76", "--json", "-"]) == 0
        model_m = json.loads(capsys.readouterr().out)["summary"]["distance_m"]
        calibrate = [*argv, str(data_dir), "--distance-m", f"{model_m * 1.1:.1f}"]
        assert main(calibrate) == 0
        out = capsys.readouterr().out
        said = (
            "note: 2 of your 2 stored walks are now out of date (2 analysed with another calibration factor, "
            "2 analysed with another body height): "
        )
        assert said in out, out
        assert 'press "Analyse all 2 again" on your profile page' in out and "gait serve" in out
        assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 2  # the dashboard counts the same
        assert client.post("/api/walks/reanalyse").json()["reanalysed"] == 2
        assert main(calibrate) == 0  # the same walk and distance: the same factor, and the same height
        out = capsys.readouterr().out
        assert "note: none of your 2 stored walks is out of date" in out and "Analyse all" not in out, out
    # dry run: nothing saved, nothing said about stored walks
    assert main([*calibrate, "--dry-run"]) == 0
    assert "stored walks" not in capsys.readouterr().out


def test_calibrate_counts_only_your_own_walks_as_out_of_date(tmp_path: Path, capsys) -> None:
    """QA (coachwords #3): with sample walks stored, "2 of your 11 stored walks" counted the samples (never scaled
    by your factor) as yours, and "start the dashboard" was wrong while it ran: only the walker's walks are counted
    and the advice holds either way."""
    import shutil

    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.demo import import_samples
    from service.settings import Settings

    repo = Path(__file__).resolve().parents[1] / "sample_recordings"
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ("mobgap_lower_back_straight_walk.csv", "mobgap_lower_back_straight_walk.reference.json"):
        shutil.copy(repo / name, samples / name)
    own = repo / "mobgap_lower_back_daily_living.csv"
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, demo=False, samples_dir=samples)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        import_samples(client.app.state.store, samples)  # as the first start of `./run demo` does
        assert [w["origin"] for w in client.get("/api/walks").json()] == ["sample"]
        files = {"file": (own.name, own.read_bytes())}
        assert client.post("/api/uploads", files=files, data={"placement": "lower_back"}).status_code == 201
        calibrate = ["calibrate", str(repo / "mobgap_lower_back_daily_living_2.csv"), "--placement", "lower_back"]
        calibrate += ["--height-m", "1.76", "--distance-m", "23", "--data-dir", str(data_dir)]
        assert main(calibrate) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert "note: 1 of your 1 stored walks is now out of date (1 analysed with another calibration factor" in out
        assert (
            'press "Analyse it again" on your profile page of the dashboard (`gait serve` starts it, if it is not '
            "running)" in out
        ), out
        assert "start the dashboard" not in out
        assert client.get("/api/walks/reanalysis").json()["out_of_date"] == 1  # the button's count
