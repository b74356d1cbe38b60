"""A recording's fingerprint (service.pipeline.recording_fingerprint): the digest of all its samples rounded to six
decimals, computed block by block (its memory is measured by ``python -m bench.cli_memory``)."""

from __future__ import annotations

import hashlib

import numpy as np

from gait.types import Recording
from service.pipeline import FINGERPRINT_BLOCK_ROWS, recording_fingerprint


def hour_recording() -> Recording:
    """An hour at 100 Hz with gyroscope, a length that is no whole number of blocks, and negative zeros."""
    rng = np.random.default_rng(7)
    n = 360_000 + 123
    acc = rng.normal(0.0, 3.0, (n, 3))
    acc[:10] = -0.0
    gyr = rng.normal(0.0, 50.0, (n, 3))
    return Recording(1_700_000_000.0 + np.arange(n) / 100.0, acc, gyr)


def test_the_fingerprint_is_the_digest_of_all_samples_rounded_to_six_decimals() -> None:
    rec = hour_recording()
    assert len(rec.time_s) % FINGERPRINT_BLOCK_ROWS
    digest = hashlib.sha256()
    for name, values in (("t", rec.time_s - rec.time_s[0]), ("acc", rec.acc_ms2), ("gyr", rec.gyr_dps)):
        rounded = np.round(values, 6) + 0.0
        digest.update(f"{name}{rounded.shape}".encode() + rounded.tobytes())
    assert recording_fingerprint(rec) == digest.hexdigest()
