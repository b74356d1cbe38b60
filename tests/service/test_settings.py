"""Settings from the environment and CLI flags."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from service.settings import Settings, SettingsError, is_loopback


def test_defaults_bind_loopback_in_the_user_data_dir() -> None:
    s = Settings.from_env({})
    assert s.host == "127.0.0.1" and s.token is None and s.demo is True
    assert s.data_dir == Path(platformdirs.user_data_dir("gait-analyser", appauthor=False))
    assert s.db_path.parent == s.data_dir


def test_environment_then_flags(tmp_path: Path) -> None:
    env = {"GAIT_DATA_DIR": str(tmp_path / "env"), "GAIT_PORT": "9000", "GAIT_DEMO": "0", "GAIT_MAX_UPLOAD_MB": "5"}
    s = Settings.from_env(env)
    assert (s.data_dir, s.port, s.demo, s.max_upload_bytes) == (tmp_path / "env", 9000, False, 5 * 1024 * 1024)
    flagged = Settings.from_env(env, data_dir=tmp_path / "flag", port=None)
    assert flagged.data_dir == tmp_path / "flag" and flagged.port == 9000  # a flag wins; an unset flag does not


@pytest.mark.parametrize(
    ("env", "match"),
    [({"GAIT_PORT": "http"}, "GAIT_"), ({"GAIT_PORT": "70000"}, "port"), ({"GAIT_HOST": "0.0.0.0"}, "token")],
)
def test_bad_settings_say_what_to_do(env: dict[str, str], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.8.0.1", True),
        ("0.0.0.0", False),
        ("192.168.1.2", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_short_token_is_refused_on_the_network() -> None:
    with pytest.raises(SettingsError, match=r"GAIT_TOKEN is too short \(1 characters; at least 16\)"):
        Settings.from_env({"GAIT_HOST": "0.0.0.0", "GAIT_TOKEN": "x"})
    assert Settings.from_env({"GAIT_HOST": "0.0.0.0", "GAIT_TOKEN": "x" * 16}).token == "x" * 16


def test_serve_with_a_short_token_says_so_in_one_line(monkeypatch, capsys, tmp_path: Path) -> None:
    from service.cli import main

    monkeypatch.setenv("GAIT_TOKEN", "x")
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d"), "--port", "8799"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("gait: error: GAIT_TOKEN is too short") and "\n" not in err
    assert not (tmp_path / "d").exists()  # refused before anything was created


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"GAIT_PORT": "abc"}, "GAIT_PORT='abc' is not a whole number: set it to one (e.g. GAIT_PORT=8765)"),
        ({"GAIT_MAX_UPLOAD_MB": "lots"}, "GAIT_MAX_UPLOAD_MB='lots' is not a number: set it to one"),
        ({"GAIT_DEMO_SPEED": "fast"}, "GAIT_DEMO_SPEED='fast' is not a number: set it to one"),
        # read as floats, then no size at all: a traceback ("cannot convert float NaN to integer")
        ({"GAIT_MAX_UPLOAD_MB": "nan"}, "GAIT_MAX_UPLOAD_MB='nan' is not a number: set it to one"),
        ({"GAIT_MAX_UPLOAD_MB": "inf"}, "GAIT_MAX_UPLOAD_MB='inf' is not a number: set it to one"),
        ({"GAIT_DEMO_SPEED": "nan"}, "GAIT_DEMO_SPEED='nan' is not a number: set it to one"),
    ],
)
def test_a_variable_that_is_no_number_is_named_with_its_value(env: dict[str, str], words: str) -> None:
    # QA qa21: "invalid GAIT_* environment variable: invalid literal for int() with base 10: 'abc'" named neither
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(words)


@pytest.mark.parametrize("speed", ["0", "-1"])
def test_a_demo_speed_that_replays_nothing_is_refused(speed: str) -> None:
    # QA qa21: `gait serve --live-demo --demo-speed 0` started, and its demo walk died with "replay needs speed > 0
    # and chunk_s > 0", after replacing the earlier demo replay
    with pytest.raises(SettingsError, match=r"the demo speed must be a number above 0 .* give --demo-speed"):
        Settings.from_env({"GAIT_DEMO_SPEED": speed})
    assert Settings.from_env({"GAIT_DEMO_SPEED": "2"}).demo_speed == 2.0


@pytest.mark.parametrize("below", ["", "sub"])
def test_serve_on_a_data_folder_that_is_a_file_says_so(monkeypatch, capsys, tmp_path: Path, below: str) -> None:
    # QA qa21: `gait serve --data-dir walk.csv` said "cannot use the data folder walk.csv: File exists"
    from service.cli import main

    file = tmp_path / "walk.csv"
    file.write_text("time_s\n")
    data_dir = file / below if below else file
    assert main(["serve", "--data-dir", str(data_dir), "--port", "8799"]) == 2
    err = capsys.readouterr().err
    which = "it is" if not below else f"{file} is"
    assert err == (
        f"gait: error: cannot use the data folder {data_dir}: {which} a file, not a folder; give --data-dir "
        "(or GAIT_DATA_DIR) a folder (a new one is created)\n"
    )
    assert file.read_text() == "time_s\n"
