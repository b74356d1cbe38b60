"""Apple Health exports: streamed summaries with exact totals, source de-duplication, units, zip and errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest import IngestError, read_apple_health

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-06-17 21:07:11 -0400"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth=""/>
"""
DEVICE = "&lt;&lt;HKDevice: 0x1&gt;, name:iPhone&gt;"


def record(kind: str, unit: str, value: float, start: str, end: str, source: str = "Phone") -> str:
    return (
        f' <Record type="HKQuantityTypeIdentifier{kind}" sourceName="{source}" sourceVersion="17.1" device="{DEVICE}" '
        f'unit="{unit}" creationDate="{end}" startDate="{start}" endDate="{end}" value="{value}">\n'
        '  <MetadataEntry key="HKWasUserEntered" value="0"/>\n </Record>\n'
    )


def walk_records(source: str = "Phone") -> str:
    """A 10-minute walk of 1100 steps and 0.77 km on 2024-05-14 (local time, UTC-4), in two records each."""
    return (
        record("StepCount", "count", 600, "2024-05-14 18:00:00 -0400", "2024-05-14 18:05:00 -0400", source)
        + record("StepCount", "count", 500, "2024-05-14 18:05:30 -0400", "2024-05-14 18:10:00 -0400", source)
        + record("DistanceWalkingRunning", "km", 0.42, "2024-05-14 18:00:00 -0400", "2024-05-14 18:05:00 -0400", source)
        + record("DistanceWalkingRunning", "km", 0.35, "2024-05-14 18:05:30 -0400", "2024-05-14 18:10:00 -0400", source)
    )


def export(body: str) -> str:
    return HEAD + body + "</HealthData>\n"


def test_daily_and_walk_summaries(tmp_path: Path) -> None:
    body = walk_records()
    body += record("WalkingStepLength", "cm", 70, "2024-05-14 18:01:00 -0400", "2024-05-14 18:02:00 -0400")
    body += record("WalkingStepLength", "cm", 72, "2024-05-14 18:06:00 -0400", "2024-05-14 18:07:00 -0400")
    body += record("WalkingSpeed", "km/hr", 4.5, "2024-05-14 18:01:00 -0400", "2024-05-14 18:02:00 -0400")
    body += record("StepCount", "count", 40, "2024-05-15 09:00:00 -0400", "2024-05-15 09:01:00 -0400")
    body += record("DistanceWalkingRunning", "mi", 1.0, "2024-05-15 09:00:00 -0400", "2024-05-15 09:01:00 -0400")
    body += record("HeartRate", "count/min", 70, "2024-05-15 09:00:00 -0400", "2024-05-15 09:00:00 -0400")
    path = tmp_path / "export.xml"
    path.write_text(export(body))
    summary = read_apple_health(path)
    assert [d.date for d in summary.days] == ["2024-05-14", "2024-05-15"]
    day = summary.days[0]
    assert day.steps == 1100
    assert day.distance_m == pytest.approx(770.0)
    assert day.step_length_m == pytest.approx(0.71)  # mean of the phone's own step-length records
    assert day.step_length_method == "health_step_length"
    assert day.speed_mps == pytest.approx(1.25)
    assert summary.days[1].distance_m == pytest.approx(1609.344)
    assert summary.days[1].step_length_method == "distance_per_step"
    assert len(summary.walks) == 1  # the 40 steps next morning are not a walk
    walk = summary.walks[0]
    assert walk.steps == 1100
    assert walk.duration_s == 600.0
    assert walk.start_epoch_s == 1715724000.0  # 2024-05-14 22:00:00 UTC
    assert walk.step_rate_spm == pytest.approx(110.0)  # 1100 steps in 10 min
    assert walk.cadence_spm is None  # step counts per interval carry no step times: no cadence
    assert walk.distance_m == pytest.approx(770.0)
    assert walk.step_length_m == pytest.approx(0.71)
    assert summary.export_date == "2024-06-17 21:07:11 -0400"
    assert summary.record_counts["StepCount"] == 3


def test_overlapping_sources_are_counted_once(tmp_path: Path) -> None:
    # The Watch recorded the same walk as the phone, with a little more (it wins: more steps overall).
    watch = walk_records("Watch").replace('value="600"', 'value="640"')
    path = tmp_path / "export.xml"
    path.write_text(export(walk_records("Phone") + watch))
    summary = read_apple_health(path)
    assert summary.days[0].steps == 1140
    assert summary.sources == ["Watch", "Phone"]
    assert summary.dropped_overlaps == 4


def test_records_repeated_by_a_double_sync_are_counted_once(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(export(walk_records() + walk_records()))
    summary = read_apple_health(path)
    assert summary.days[0].steps == 1100
    assert summary.days[0].distance_m == pytest.approx(770.0)
    assert summary.dropped_overlaps == 4


def test_records_inside_correlations_are_not_double_counted(tmp_path: Path) -> None:
    inner = record("StepCount", "count", 999, "2024-05-14 18:00:00 -0400", "2024-05-14 18:05:00 -0400")
    body = (
        walk_records()
        + f' <Correlation type="X" sourceName="Phone" startDate="a" endDate="b">\n{inner} </Correlation>\n'
    )
    path = tmp_path / "export.xml"
    path.write_text(export(body))
    assert read_apple_health(path).days[0].steps == 1100


def test_export_zip(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("apple_health_export/export.xml", export(walk_records()))
        zf.writestr("apple_health_export/export_cda.xml", "<x/>")
    assert read_apple_health(path).days[0].steps == 1100


def test_damaged_xml(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(export(walk_records())[:-200])
    with pytest.raises(IngestError, match="truncated") as err:
        read_apple_health(path)
    assert err.value.reason == "malformed"


def test_not_a_health_export(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("time_s,acc_x_ms2\n0,1\n")
    with pytest.raises(IngestError, match="Export All Health Data"):
        read_apple_health(path)


def test_zip_without_export_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.csv", "1")
    with pytest.raises(IngestError, match=r"no export\.xml"):
        read_apple_health(path)


def test_entity_expansion_bomb_is_refused(tmp_path: Path) -> None:
    lol = '<!DOCTYPE HealthData [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    path = tmp_path / "export.xml"
    path.write_text(f'<?xml version="1.0"?>\n{lol}]>\n<HealthData locale="x"><ExportDate value="&i;"/></HealthData>')
    with pytest.raises(IngestError):
        read_apple_health(path)
