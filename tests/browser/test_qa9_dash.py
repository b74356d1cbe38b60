"""QA9 on the dashboard: a refusal giving a command shows it as a command to copy, with a rate the walker can find."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.test_dashboard import refused_upload, watch_console
from tests.service.serverproc import REPO, Server

GAITMAP = REPO.parent / "shared" / "data" / "dev" / "gaitmap_example"
IMU = GAITMAP / "imu_sample.csv"
"""gaitmap's example: two shoes' sensors under two header lines, timed by a sample index (204.8 Hz, SOURCE.txt)."""


def refusal(page, server: Server, path: Path) -> tuple[str, list[str]]:
    """Upload ``path`` from the upload page: the refusal's text and the commands it shows."""
    said = refused_upload(page, server, path, "foot")
    return said, page.locator("#upload-error code.command").all_text_contents()


@pytest.mark.skipif(not IMU.exists(), reason=f"shared data not present at {IMU}")
def test_the_several_sensors_refusal_shows_the_command_to_copy_with_a_rate_the_walker_can_find(
    browser_context, server: Server, tmp_path: Path
) -> None:
    """QA: the refusal suggested `gait convert imu_sample.csv ... --rate-hz <Hz> ...` in running text, and the walker
    could not know the rate."""
    page = browser_context.new_page()
    errors = watch_console(page)
    said, commands = refusal(page, server, IMU)
    # gaitmap's own example: its documented rate, in the command
    assert commands == ["gait convert imu_sample.csv imu_sample_left_sensor.csv --sensor left_sensor --rate-hz 204.8"]
    assert "gaitmap's documentation gives it for its example imu_sample.csv" in said, said
    assert "`" not in said
    style = "getComputedStyle(document.querySelector('#upload-error code.command'))"
    assert page.evaluate(f"{style}.display") == "block" and page.evaluate(f"{style}.userSelect") == "all"

    # the same file under another name is nobody's known example: where to find the rate; the name is shown as typed
    # (escaped), not read as markup
    other = tmp_path / "my <b>shoes.csv"
    shutil.copy(IMU, other)
    said, commands = refusal(page, server, other)
    (command,) = commands
    assert command.startswith("gait convert 'my <b>shoes.csv' "), command
    assert command.endswith(" --sensor left_sensor --rate-hz <Hz>"), command
    assert "the sensor's or the data set's documentation gives it" in said, said
    assert page.locator("#upload-error b").count() == 0
    assert [e for e in errors if "status of 422" not in e] == [], errors  # the refusal logs its status
