"""Physical constants, column names and defaults shared by every layer.

One module holds them so that a unit or a column name is defined exactly once (mobgap's ``consts.py``).
"""

from __future__ import annotations

from typing import Final

GRAVITY_MS2: Final = 9.80665
"""Standard gravity in m/s^2, used to convert g to m/s^2."""

#: Columns of "gait CSV", the canonical input format.
GAIT_CSV_TIME_COL: Final = "time_s"
GAIT_CSV_ACC_COLS: Final = ("acc_x_ms2", "acc_y_ms2", "acc_z_ms2")
GAIT_CSV_GYR_COLS: Final = ("gyr_x_dps", "gyr_y_dps", "gyr_z_dps")

MIN_SAMPLING_RATE_HZ: Final = 20.0
"""Below this rate the impact of a heel strike is not resolved; such input is refused."""

WORKING_RATE_HZ: Final = 100.0
"""Rate every input is resampled to inside the core."""

FOOT_RATE_HZ: Final = 200.0
"""Working rate for foot sensors: the swing's fast rotation needs it for strapdown integration (ZUPT)."""

SENSOR_HEIGHT_PER_BODY_HEIGHT: Final = 0.53
"""Height of a lower-back sensor (L5) above the ground as a share of body height (Zijlstra & Hof)."""

DEFAULT_BODY_HEIGHT_M: Final = 1.70
"""Body height assumed when none is given; the confidence of stride lengths is lowered when it is used."""

BODY_HEIGHT_RANGE_M: Final = (0.8, 2.5)
"""Body heights accepted, in metres."""

SENSOR_HEIGHT_RANGE_M: Final = (0.3, 1.6)
"""Heights of a lower-back sensor above the ground accepted, in metres."""

STRIDE_SCALE_RANGE: Final = (0.5, 1.5)
"""Personal stride-length factors accepted."""

TYPICAL_CADENCE_SPM: Final = (60.0, 150.0)
"""Cadence range accepted as walking, in steps per minute."""
