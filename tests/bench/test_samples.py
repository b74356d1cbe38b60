"""sample_recordings/: valid gait CSV, consistent references, licences that allow sharing, up to date."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import pytest

from tests.sample_data import SAMPLES_DIR, Sample, sample, samples

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dev"
SHAREABLE = {"Apache-2.0", "MIT", "CC-BY-4.0"}
NEVER_COPIED = {"ipol_healthy_gait", "phone_exports", "ble_sensor_exports"}


def test_there_are_samples_for_trunk_foot_and_phone() -> None:
    found = samples()
    placements = {s.placement.value for s in found}
    assert len(found) >= 7
    assert {"lower_back", "foot", "hand", "pocket"} <= placements
    assert {s.side for s in found if s.placement.value == "foot"} == {"left", "right"}


@pytest.mark.parametrize("s", samples(), ids=lambda s: s.name)
def test_sample_is_valid_gait_csv_with_a_consistent_reference(s: Sample) -> None:
    rec = s.load()  # read_gait_csv validates: finite values, increasing time, m/s^2 with gravity
    assert rec.placement == s.placement
    assert rec.duration_s == pytest.approx(s.reference["duration_s"], abs=1e-3)
    assert (rec.gyr_dps is not None) == s.reference["has_gyroscope"]
    ics = s.initial_contacts_s
    assert len(ics) > 0 and np.all(np.diff(ics) > 0)
    assert ics[0] >= 0 and ics[-1] <= rec.duration_s
    inside = np.zeros(len(ics), dtype=bool)
    for a, b in s.walking_spans:
        inside |= (ics >= a) & (ics <= b)
    assert inside.all(), "every reference IC lies in a walking span"
    for start_s, end_s, length_m in s.strides:
        assert start_s < end_s
        assert np.isnan(length_m) or 0.0 < length_m < 2.5  # shuffles in daily living: INDIP has 0.17 m
    for start_s, end_s, cadence_spm in s.bouts:
        assert start_s < end_s and 40 < cadence_spm < 160


@pytest.mark.parametrize("s", samples(), ids=lambda s: s.name)
def test_sample_licence_allows_sharing_and_is_attributed(s: Sample) -> None:
    assert s.reference["licence"] in SHAREABLE
    assert s.reference["source"]["dataset"] not in NEVER_COPIED
    assert s.reference["attribution"]
    for f in s.reference["licence_files"]:
        assert (SAMPLES_DIR / f).is_file(), f
    assert f"`{s.path.name}`" in (SAMPLES_DIR / "README.md").read_text(encoding="utf-8")


def test_folder_stays_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLES_DIR.rglob("*") if p.is_file())
    assert total < 6.5e6


def test_unknown_sample_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="gaitmap_left_foot"):
        sample("nope")


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared dev data absent ({SHARED})")
def test_committed_samples_are_what_make_samples_writes(tmp_path: Path) -> None:
    from bench.make_samples import make_samples

    make_samples(tmp_path, SHARED)
    for p in sorted(tmp_path.iterdir()):
        assert filecmp.cmp(p, SAMPLES_DIR / p.name, shallow=False), (
            f"{p.name} is stale: run python -m bench.make_samples"
        )


def test_make_samples_refuses_a_dataset_whose_licence_forbids_copying(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bench.make_samples as ms

    monkeypatch.setattr(ms, "SELECTION", (("ipol_healthy_gait", "1-1_lb", "ipol"),))
    with pytest.raises(ValueError, match="may not be copied"):
        ms.make_samples(tmp_path, tmp_path)
    assert not any(tmp_path.iterdir())
