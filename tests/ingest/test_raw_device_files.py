"""A wearable's own binary recording (GENEActiv .bin, ActiGraph .gt3x, Axivity .cwa) is refused naming the device's
format and how its maker's software converts it, whatever the file is called; no binary reader is attempted."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

import ingest
from ingest import IngestError

GENEACTIV_BIN = (
    "Device Identity\r\nDevice Unique Serial Code:034567\r\nDevice Type:GENEActiv\r\nDevice Model:1.1\r\n"
    "Device Firmware:Ver06.17 15June2016\r\nCalibration Date:2016-07-14 16:08:56:000\r\n\r\nDevice Capabilities\r\n"
    "Accelerometer Range:-8 to 8\r\nAccelerometer Resolution:0.0039\r\n\r\nRecorded Data\r\n"
    "Device Unique Serial Code:034567\r\nSequence Number:0\r\nPage Time:2017-01-01 10:00:00:000\r\nUnassigned:\r\n"
    "Temperature:25.0\r\nBattery voltage:4.0\r\nDevice Status:Recording\r\nMeasurement Frequency:100.0 Hz\r\n"
    + "0FF00A0C8F" * 120
    + "\r\n"
).encode()
"""The start of a GENEActiv .bin as the device writes it: text header blocks of 'key:value' lines, then pages of
hexadecimal samples."""


def gt3x() -> bytes:
    """An ActiGraph .gt3x: a zip holding info.txt (the device's 'key: value' lines) and log.bin (binary records)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(
            "info.txt", "Serial Number: MOS2E22180349\nDevice Type: wGT3XBT\nFirmware: 1.9.2\nSample Rate: 30\n"
        )
        zf.writestr("log.bin", bytes([0x1E, 0x00, 0x00]) + np.arange(900, dtype=np.uint16).tobytes())
    return out.getvalue()


CWA = b"MD" + struct.pack("<H", 1020) + bytes(508) + b"AX" + np.arange(600, dtype=np.uint16).tobytes()
"""An Axivity .cwa: a 1024-byte metadata block ('MD', then its length after the first four bytes), then data
blocks ('AX')."""

FILES = {
    "walk.bin": (GENEACTIV_BIN, "a GENEActiv binary file (.bin)", "GENEActiv PC software and use 'Convert to CSV'"),
    "walk.gt3x": (gt3x(), "an ActiGraph .gt3x file", "'Export to CSV'"),
    "walk.cwa": (CWA, "an Axivity .cwa file", "OmGui and use 'Export raw CSV'"),
}


def refused(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        ingest.load(path)
    return err.value


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("renamed", [False, True], ids=["own name", "renamed .csv"])
def test_a_device_binary_is_refused_naming_its_format_and_how_to_convert_it(
    tmp_path: Path, name: str, renamed: bool
) -> None:
    content, what, how = FILES[name]
    path = tmp_path / (name.replace(".", "_") + ".csv" if renamed else name)
    path.write_bytes(content)
    err = refused(path)
    assert err.reason == "raw_device_file"
    assert f"{path.name}: this is {what}" in str(err) and how in str(err)


def test_pygt3x_is_named_for_a_gt3x(tmp_path: Path) -> None:
    path = tmp_path / "walk.gt3x"
    path.write_bytes(gt3x())
    assert "pygt3x" in str(refused(path)) and "time,acc_x_g,acc_y_g,acc_z_g" in str(refused(path))
