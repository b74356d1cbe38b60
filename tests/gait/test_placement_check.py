"""The placement check: a gyroscope that turns like a shoe's contradicts a trunk placement, and one that turns like
a trunk's contradicts a foot placement."""

from __future__ import annotations

import numpy as np

from gait.analysis import TRUNK_GYRO_P95_MAX_DPS, analyze
from gait.types import Placement, Recording
from tests.gait.synthetic import walk_signal
from tests.sample_data import samples


def _placement_check(notes: list[str]) -> list[str]:
    return [n for n in notes if n.startswith("placement check")]


def test_a_real_foot_recording_analysed_as_lower_back_is_flagged() -> None:
    feet = [s for s in samples() if s.reference["placement"] == "foot"]
    trunks = [s for s in samples() if s.reference["placement"] == "lower_back"]
    assert feet and trunks
    for s in feet:
        notes = analyze(s.load(), placement=Placement.LOWER_BACK).notes
        assert len(_placement_check(notes)) == 1, (s.name, notes)
        assert "--placement foot" in _placement_check(notes)[0]
        # with the right placement there is nothing to say
        assert not _placement_check(analyze(s.load(), placement=Placement.FOOT).notes)
    for s in trunks:  # real lower-back walks with their gyroscope are not flagged
        assert not _placement_check(analyze(s.load(), placement=Placement.LOWER_BACK).notes), s.name


def test_only_walking_counts_and_the_threshold_is_exclusive() -> None:
    t, acc = walk_signal(step_hz=1.8, walk_s=30.0)
    gyr = np.zeros_like(acc)
    rec = Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr)
    result = analyze(rec, placement=Placement.LOWER_BACK)
    assert result.bouts, "the synthetic walk must be found"
    walk_start, walk_end = result.bouts[0].start_s, result.bouts[-1].end_s
    walking = (t >= walk_start) & (t <= walk_end)
    # Fast turning outside every bout (handling the sensor before walking) says nothing about placement.
    gyr_rest = gyr.copy()
    gyr_rest[~walking, 0] = 600.0
    assert not _placement_check(
        analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr_rest), placement="lower_back").notes
    )
    # While walking: at the threshold no note, just above it a note.
    for value, flagged in ((TRUNK_GYRO_P95_MAX_DPS, False), (TRUNK_GYRO_P95_MAX_DPS + 1.0, True)):
        g = gyr.copy()
        g[walking, 2] = value
        notes = analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=g), placement="lower_back").notes
        assert bool(_placement_check(notes)) is flagged, (value, notes)
    # A phone in the hand is not a trunk placement: no claim either way.
    g = gyr.copy()
    g[walking, 2] = 600.0
    assert not _placement_check(analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=g), placement="hand").notes)


def test_a_real_lower_back_recording_analysed_as_foot_is_flagged() -> None:
    # The foot's detector finds (almost) no walking on a trunk sensor, so the check looks at the moving samples.
    trunks = [s for s in samples() if s.reference["placement"] == "lower_back" and s.load().duration_s > 60.0]
    assert trunks
    for s in trunks:
        notes = _placement_check(analyze(s.load(), placement=Placement.FOOT).notes)
        assert len(notes) == 1 and "--placement lower_back" in notes[0], (s.name, notes)


def test_the_foot_check_needs_movement_and_its_threshold_is_exclusive() -> None:
    t, acc = walk_signal(step_hz=1.8, walk_s=30.0)
    rec = Recording(time_s=t, acc_ms2=acc, gyr_dps=np.zeros_like(acc))
    # walking that turns like a trunk: flagged up to the threshold, not above it
    for value, flagged in ((TRUNK_GYRO_P95_MAX_DPS, True), (TRUNK_GYRO_P95_MAX_DPS + 1.0, False)):
        g = np.zeros_like(acc)
        g[:, 1] = value
        notes = analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=g), placement=Placement.FOOT).notes
        assert bool(_placement_check(notes)) is flagged, (value, notes)
    # a sensor lying still says nothing about where it is worn
    still = Recording(time_s=t, acc_ms2=np.tile([0.0, 0.0, 9.81], (len(t), 1)), gyr_dps=np.zeros_like(acc))
    assert not _placement_check(analyze(still, placement=Placement.FOOT).notes)
    assert not _placement_check(analyze(rec, placement=Placement.POCKET).notes)


def test_the_advice_to_analyse_again_points_to_the_walk_page_and_names_both_placements() -> None:
    """Deleting a walk and uploading it again would unlink its pain reports for good: the notes send the walker to
    the walk page's control that analyses it again in place, and the command line's way names both placements the
    note itself offers."""
    t, acc = walk_signal(step_hz=1.8, walk_s=30.0)
    spinning = np.zeros_like(acc)
    spinning[:, 2] = 600.0  # a shoe's swing, analysed as lower back
    turning = np.zeros_like(acc)
    turning[:, 1] = TRUNK_GYRO_P95_MAX_DPS / 2  # a trunk's turning, analysed as foot
    for gyr, placement, offered, flags in (
        (spinning, "lower_back", "as foot or pocket", "--placement foot or --placement pocket"),
        (turning, "foot", "on the lower back or waist", "--placement lower_back or --placement waist"),
    ):
        (note,) = _placement_check(analyze(Recording(time_s=t, acc_ms2=acc, gyr_dps=gyr), placement=placement).notes)
        assert "delete" not in note and "upload" not in note, note
        assert offered in note, note
        assert 'on the dashboard, "Worn elsewhere? Analyse as another placement" on the walk\'s page' in note, note
        assert note.endswith(f"(command line: gait analyze {flags})"), note
