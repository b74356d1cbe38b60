"""Turn the outside world into gait input: phone and sensor exports, Apple Health summaries, gait CSV.

>>> from ingest import load, list_formats
>>> [f.name for f in list_formats()][:2]
['sensor_logger', 'phyphox']
"""

from __future__ import annotations

from ingest.apple_health import DaySummary, HealthSummary, WalkSummary, read_apple_health
from ingest.common import FormatInfo
from ingest.errors import IngestError
from ingest.gait_csv import read_gait_csv, write_gait_csv
from ingest.loader import detect_format, is_phone_recording, list_formats, load

__all__ = [
    "DaySummary",
    "FormatInfo",
    "HealthSummary",
    "IngestError",
    "WalkSummary",
    "detect_format",
    "is_phone_recording",
    "list_formats",
    "load",
    "read_apple_health",
    "read_gait_csv",
    "write_gait_csv",
]
