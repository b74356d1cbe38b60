"""Convert a few real reference recordings into ``sample_recordings/`` (gait CSV + reference JSON + README).

Usage::

    .venv/bin/python -m bench.make_samples [--out DIR]

Only data whose licence allows redistribution are used (DESIGN.md section 5): mobgap lab (Apache-2.0),
gaitmap example (MIT), Oxford step counter (CC BY 4.0); never IPOL (AGPL), phone_exports or ble_sensor_exports.
Each sample is ``<name>.csv`` (gait CSV, written by :func:`ingest.gait_csv.write_gait_csv`, time from 0) with
``<name>.reference.json`` beside it (reference events on the same time axis, placement, heights, source, licence
and attribution). The licence texts live in ``sample_recordings/LICENSES/`` (kept in git, not generated).
Re-running rewrites the same files from ``../shared/data/dev``; every file is written atomically and read back with
:func:`ingest.gait_csv.read_gait_csv` to prove it is valid input.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import REPO_ROOT, RefRecording, available, data_root, load_dataset
from ingest.gait_csv import read_gait_csv, write_gait_csv

SAMPLES_DIR = REPO_ROOT / "sample_recordings"
REFERENCE_SUFFIX = ".reference.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Provenance:
    """Where a dataset comes from and under which terms it may be shared."""

    licence: str
    licence_files: tuple[str, ...]
    attribution: str
    upstream: str
    reference_system: str


PROVENANCE: dict[str, Provenance] = {
    "mobgap_lab": Provenance(
        licence="Apache-2.0",
        licence_files=("LICENSES/Apache-2.0.txt", "LICENSES/mobgap-NOTICE"),
        attribution=(
            "mobgap LabExampleDataset (Mobilise-D Technical Validation Study, laboratory part), "
            "https://github.com/mobilise-d/mobgap, example_data/ (snapshot 34aa8aebe62649609679bb450996b8427e3638e6; "
            "identical in the mobgap 1.2.0 sdist). Copyright 2024 - Björn Eskofier as head of the MaDLab FAU in the "
            "name of the Mobilise-D consortium. Changed: converted from MATLAB data.mat to gait CSV, acceleration "
            "from g to m/s^2 (x 9.80665), time from sample index at 100 Hz; reference = INDIP MicroWB events."
        ),
        upstream="https://github.com/mobilise-d/mobgap/tree/main/example_data/data/lab",
        reference_system="INDIP (pressure insoles, inertial modules and distance sensors)",
    ),
    "gaitmap_example": Provenance(
        licence="MIT",
        licence_files=("LICENSES/MIT-gaitmap.txt",),
        attribution=(
            "gaitmap example data, https://github.com/mad-lab-fau/gaitmap, example_data/imu_sample.csv, "
            "stride_events_sample.csv, position_sample.csv (snapshot 05ad9716161cdfeb4ba9fcb28eb796df0420e48d). "
            "Copyright (c) 2020 MaD-Lab Erlangen, MIT licence. Changed: one foot sensor per file, time from sample "
            "index at 204.8 Hz; reference ICs and stride lengths derived from the Vicon stride events and heel-marker "
            "trajectories."
        ),
        upstream="https://github.com/mad-lab-fau/gaitmap/tree/master/example_data",
        reference_system="Vicon motion capture (stride events, heel-marker trajectory)",
    ),
    "oxford_step_counter": Provenance(
        licence="CC-BY-4.0",
        licence_files=("LICENSES/CC-BY-4.0.txt",),
        attribution=(
            "Oxford step-counter data set, https://github.com/Oxford-step-counter/DataSet, optimisation/data/ "
            "(snapshot 922cc0d8511a7189f7a667d173c21e9472729603); D. Salvi, C. Velardo, J. Brynes, L. Tarassenko, "
            "'An optimised algorithm for accurate steps counting from smart-phone accelerometry', EMBC 2018. "
            "Licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Changed: time from nanoseconds since "
            "boot to seconds from the first accelerometer sample, repeated time stamps dropped, accuracy column "
            "dropped; reference steps = 0->1 transitions of either heel pressure pad."
        ),
        upstream="https://github.com/Oxford-step-counter/DataSet/tree/master/optimisation/data",
        reference_system="heel pressure pads (BLE GroundTruthDevice), both feet, polled at about 10 Hz",
    ),
}

#: (dataset, recording name in bench.datasets, sample name)
SELECTION: tuple[tuple[str, str, str], ...] = (
    ("mobgap_lab", "HA_001_Test11_Trial1", "mobgap_lower_back_daily_living"),
    ("mobgap_lab", "HA_002_Test11_Trial1", "mobgap_lower_back_daily_living_2"),
    ("mobgap_lab", "HA_001_Test5_Trial1", "mobgap_lower_back_straight_walk"),
    ("gaitmap_example", "imu_sample_left", "gaitmap_left_foot"),
    ("gaitmap_example", "imu_sample_right", "gaitmap_right_foot"),
    ("oxford_step_counter", "Samsung_Jamie_Hard_InHand_1", "oxford_phone_in_hand"),
    ("oxford_step_counter", "Samsung_Dario_Hard_BackPocket_1", "oxford_phone_back_pocket"),
    ("oxford_step_counter", "Samsung_Carmelo_Hard_Purse_2", "oxford_phone_in_bag"),
)

DESCRIPTIONS: dict[str, str] = {
    "mobgap_lower_back_daily_living": "lower back (L5 belt), healthy adult, 138 s of simulated daily-living "
    "activities with several short walking bouts, 100 Hz, acc + gyro",
    "mobgap_lower_back_daily_living_2": "lower back (L5 belt), a second healthy adult (1.75 m), 160 s of simulated "
    "daily-living activities, 100 Hz, acc + gyro",
    "mobgap_lower_back_straight_walk": "lower back (L5 belt), healthy adult, 12 s straight walk at comfortable "
    "speed, 100 Hz, acc + gyro",
    "gaitmap_left_foot": "left shoe (NilsPod), healthy adult, 2 x 20 m walk with a turn, 204.8 Hz, acc + gyro",
    "gaitmap_right_foot": "right shoe (NilsPod), same walk as gaitmap_left_foot, 204.8 Hz, acc + gyro",
    "oxford_phone_in_hand": "Android phone held in the hand, about 150 s of walking, about 100 Hz (irregular), acc",
    "oxford_phone_back_pocket": "Android phone in a back trouser pocket, about 110 s of walking, about 200 Hz "
    "(irregular), acc",
    "oxford_phone_in_bag": "Android phone in a shoulder bag (purse), about 150 s of walking, about 200 Hz "
    "(irregular), acc",
}


def _r(x: float, nd: int) -> float | None:
    return round(float(x), nd) if np.isfinite(x) else None


def reference_document(ref: RefRecording, name: str) -> dict[str, Any]:
    """The ``<name>.reference.json`` document of one sample."""
    prov = PROVENANCE[ref.dataset]
    rate_hz = 1.0 / float(np.median(np.diff(ref.recording.time_s)))
    return {
        "format_version": FORMAT_VERSION,
        "name": name,
        "file": f"{name}.csv",
        "description": DESCRIPTIONS[name],
        "placement": ref.placement.value,
        "carry_position": ref.carry_position,
        "side": ref.side,
        "body_height_m": ref.body_height_m,
        "sensor_height_m": None if ref.sensor_height_m is None else round(ref.sensor_height_m, 3),
        "sampling_rate_hz": round(rate_hz, 1),
        "duration_s": round(ref.recording.duration_s, 3),
        "has_gyroscope": ref.recording.gyr_dps is not None,
        "reference": {
            "system": prov.reference_system,
            "ic_feet": ref.side or "both",
            "steps_per_ic_interval": ref.steps_per_ic_interval,
            "initial_contacts_s": [round(float(t), 3) for t in ref.ref_ic_s],
            # the foot of each contact, where the reference names it (null: not named)
            "initial_contact_sides": None if ref.ref_ic_side is None else [str(s) or None for s in ref.ref_ic_side],
            "strides": [
                {"start_s": round(s, 3), "end_s": round(e, 3), "length_m": _r(length, 4)}
                for s, e, length in ref.ref_strides
            ],
            "bouts": [
                {"start_s": round(s, 3), "end_s": round(e, 3), "cadence_spm": _r(c, 2)} for s, e, c in ref.ref_bouts
            ],
            "walking_spans": [[round(s, 3), round(e, 3)] for s, e in ref.walking_spans],
            "notes": ref.notes,
        },
        "source": {
            "dataset": ref.dataset,
            "recording": ref.name,
            "original_file": ref.recording.source.get("file"),
            "upstream": prov.upstream,
        },
        "licence": prov.licence,
        "licence_files": list(prov.licence_files),
        "attribution": prov.attribution,
    }


def _write_json(doc: dict[str, Any], path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def readme_text(docs: Sequence[dict[str, Any]], sizes: dict[str, int]) -> str:
    """The README of ``sample_recordings/``: what each file is, its licence and attribution."""
    lines = [
        "# Sample recordings",
        "",
        "Small real recordings from public data sets, converted to gait CSV (see docs/FORMATS.md), each with",
        "its reference gait events beside it in `<name>.reference.json`. The README, the demo and the tests use",
        "them (`tests/sample_data.py` lists them). Generated by `python -m bench.make_samples` from",
        "`../shared/data/dev`; do not edit by hand.",
        "",
        "Times in the reference files are on the CSV's own time axis (seconds from the first sample).",
        "`initial_contacts_s` holds the contacts of both feet for trunk and phone sensors and of the sensor's foot",
        "only for a foot sensor (`ic_feet`); `initial_contact_sides` the foot of each, where the reference names it",
        "(the INDIP does; null otherwise). Strides run from one initial contact to the next of the same foot;",
        "`length_m` is null where the reference has none. `walking_spans` are the spans inside which the reference",
        "annotates every contact: score detections only inside them (bench/metrics.py; the metrics are defined in",
        "bench/README.md).",
        "",
        "| file | placement | what | reference | licence | size |",
        "|---|---|---|---|---|---|",
    ]
    for d in docs:
        ref = d["reference"]
        n_len = sum(s["length_m"] is not None for s in ref["strides"])
        what_ref = f"{len(ref['initial_contacts_s'])} ICs, {len(ref['bouts'])} bout(s)"
        if n_len:
            what_ref += f", {n_len} stride lengths"
        placement = d["placement"] + (f" ({d['carry_position']})" if d["carry_position"] else "")
        lines.append(
            f"| `{d['file']}` | {placement} | {d['description']} | {what_ref} | {d['licence']} | "
            f"{sizes[d['file']] / 1e6:.2f} MB |"
        )
    lines += [
        "",
        "## Licences and attribution",
        "",
        "The recordings are NOT covered by this project's own licence; each keeps the licence of its source.",
        "",
    ]
    seen: set[str] = set()
    for d in docs:
        ds = d["source"]["dataset"]
        if ds in seen:
            continue
        seen.add(ds)
        files = ", ".join(f"`{x['file']}`" for x in docs if x["source"]["dataset"] == ds)
        lines += [
            f"### {ds} ({d['licence']})",
            "",
            f"Files: {files}.",
            "",
            d["attribution"],
            "",
            "Licence: " + ", ".join(f"`{f}`" for f in d["licence_files"]) + f". Upstream: {d['source']['upstream']}",
            "",
        ]
    return "\n".join(lines)


def make_samples(out_dir: Path = SAMPLES_DIR, root: Path | None = None) -> list[dict[str, Any]]:
    """Write every selected sample into ``out_dir`` and return their reference documents."""
    root = root or data_root()
    out_dir.mkdir(parents=True, exist_ok=True)
    by_dataset: dict[str, dict[str, RefRecording]] = {}
    docs: list[dict[str, Any]] = []
    sizes: dict[str, int] = {}
    for dataset, rec_name, name in SELECTION:
        if dataset not in PROVENANCE:  # guard: only licences that allow redistribution
            raise ValueError(f"{dataset} may not be copied into sample_recordings/")
        if dataset not in by_dataset:
            by_dataset[dataset] = {r.name: r for r in load_dataset(dataset, root)}
        ref = by_dataset[dataset][rec_name]
        csv_path = out_dir / f"{name}.csv"
        write_gait_csv(ref.recording, csv_path)
        back = read_gait_csv(csv_path, placement=ref.placement)  # raises when the file is not valid gait CSV
        if back.n_samples != ref.recording.n_samples:
            raise RuntimeError(f"{csv_path}: {back.n_samples} rows read back, {ref.recording.n_samples} written")
        err_s = float(np.max(np.abs(back.time_s - ref.recording.time_s)))
        if err_s > 1e-3:
            raise RuntimeError(f"{csv_path}: time stamps lost precision ({err_s:.2g} s)")
        doc = reference_document(ref, name)
        _write_json(doc, out_dir / f"{name}{REFERENCE_SUFFIX}")
        sizes[doc["file"]] = csv_path.stat().st_size
        docs.append(doc)
        print(f"{csv_path.relative_to(out_dir.parent)}: {back.n_samples} samples, {sizes[doc['file']] / 1e6:.2f} MB")
    readme = out_dir / "README.md"
    tmp = readme.with_name("README.md.tmp")
    tmp.write_text(readme_text(docs, sizes), encoding="utf-8")
    os.replace(tmp, readme)
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    print(f"{out_dir}: {len(docs)} samples, {total / 1e6:.2f} MB in total")
    return docs


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m bench.make_samples", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=SAMPLES_DIR, help="output directory")
    args = parser.parse_args(argv)
    if not available():
        print(f"bench.make_samples: shared data not found at {data_root()}: cannot (re)make the samples")
        return 0
    make_samples(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
