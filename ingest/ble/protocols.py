"""GATT identifiers and pure packet codecs of the BLE sensors we read (bytes in, samples out; no I/O).

Protocols
---------
- Running Speed and Cadence (Bluetooth SIG, service 0x1814): RSC Measurement 0x2A53 aggregates.
- Polar PMD (H10, Verity Sense): ACC data frames, raw and delta-compressed, after Polar's
  ``Polar_Measurement_Data_Specification.pdf`` (polarofficial/polar-ble-sdk).
- Our open "IMU stream" protocol for DIY sensors, specified in ``firmware_notes/PROTOCOL.md``.
- BBC micro:bit accelerometer service (3 x i16 LE milli-g per notification).

Every decoder raises :class:`~ingest.ble.errors.BleError` for a short, malformed or unknown packet, with a
``reason`` a caller can branch on. Encoders are the exact inverse and feed the virtual sensor and the tests.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

from gait.consts import GRAVITY_MS2
from ingest.ble.errors import BleError

# ---------------------------------------------------------------------------------------------------------------
# UUIDs, in bleak's normalised form (lower-case, 128-bit)


def uuid16(value: int) -> str:
    """Return the 128-bit string form of a 16-bit Bluetooth SIG UUID, as bleak normalises it."""
    return f"0000{value:04x}-0000-1000-8000-00805f9b34fb"


RSC_SERVICE_UUID = uuid16(0x1814)
RSC_MEASUREMENT_UUID = uuid16(0x2A53)
RSC_FEATURE_UUID = uuid16(0x2A54)
SENSOR_LOCATION_UUID = uuid16(0x2A5D)
SC_CONTROL_POINT_UUID = uuid16(0x2A55)

PMD_SERVICE_UUID = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
PMD_CONTROL_POINT_UUID = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
PMD_DATA_UUID = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"

IMU_SERVICE_UUID = "6a4e0001-7c1f-4b8e-9d2a-3f5c8b1e2d40"
IMU_DATA_UUID = "6a4e0002-7c1f-4b8e-9d2a-3f5c8b1e2d40"
IMU_CONTROL_POINT_UUID = "6a4e0003-7c1f-4b8e-9d2a-3f5c8b1e2d40"
IMU_INFO_UUID = "6a4e0004-7c1f-4b8e-9d2a-3f5c8b1e2d40"

MICROBIT_ACC_SERVICE_UUID = "e95d0753-251d-470a-a062-fa1922dfa9a8"
MICROBIT_ACC_DATA_UUID = "e95dca4b-251d-470a-a062-fa1922dfa9a8"
MICROBIT_ACC_PERIOD_UUID = "e95dfb24-251d-470a-a062-fa1922dfa9a8"

#: What each advertised or discovered service means to a user, for ``gait scan``.
SERVICE_LABELS: dict[str, str] = {
    RSC_SERVICE_UUID: "RSC foot pod (cadence, speed, stride length)",
    PMD_SERVICE_UUID: "Polar PMD accelerometer",
    IMU_SERVICE_UUID: "IMU stream (open protocol)",
    MICROBIT_ACC_SERVICE_UUID: "micro:bit accelerometer",
}

MG_TO_MS2 = GRAVITY_MS2 / 1000.0
"""Milli-g to m/s^2."""


def _need(data: bytes, n: int, what: str) -> None:
    if len(data) < n:
        raise BleError(
            f"{what}: packet of {len(data)} bytes is too short (need at least {n}); the sensor sent a truncated "
            "notification: check its firmware or the negotiated MTU",
            reason="short_packet",
        )


# ---------------------------------------------------------------------------------------------------------------
# Running Speed and Cadence


@dataclass(frozen=True)
class RscMeasurement:
    """One RSC Measurement (0x2A53): aggregates a foot pod computes, typically once a second.

    Attributes
    ----------
    speed_mps
        Instantaneous speed in m/s (resolution 1/256 m/s).
    cadence_spm
        Instantaneous cadence in foot contacts (steps) per minute.
    stride_length_m
        Instantaneous stride length in m (resolution 0.01 m), when the pod sends it.
    total_distance_m
        Total distance in m (resolution 0.1 m), when the pod sends it.
    running
        True when the pod says the wearer is running, False for walking.
    """

    speed_mps: float
    cadence_spm: float
    stride_length_m: float | None = None
    total_distance_m: float | None = None
    running: bool = False


def decode_rsc_measurement(data: bytes) -> RscMeasurement:
    """Decode an RSC Measurement notification.

    Layout (little-endian): flags u8 (bit0 stride length present, bit1 total distance present, bit2 running),
    speed u16 in 1/256 m/s, cadence u8 in 1/min, [stride length u16 in 1/100 m], [total distance u32 in 1/10 m].
    Bytes after the declared fields are ignored: bits 3-7 of the flags are reserved for future fields.

    Raises
    ------
    BleError
        ``reason="short_packet"`` when a field the flags announce is missing.
    """
    data = bytes(data)
    _need(data, 4, "RSC measurement")
    flags = data[0]
    has_stride, has_distance, running = bool(flags & 0x01), bool(flags & 0x02), bool(flags & 0x04)
    _need(data, 4 + 2 * has_stride + 4 * has_distance, "RSC measurement")
    speed_raw, cadence_raw = struct.unpack_from("<HB", data, 1)
    offset = 4
    stride_length_m = None
    total_distance_m = None
    if has_stride:
        stride_length_m = struct.unpack_from("<H", data, offset)[0] / 100.0
        offset += 2
    if has_distance:
        total_distance_m = struct.unpack_from("<I", data, offset)[0] / 10.0
    return RscMeasurement(
        speed_mps=speed_raw / 256.0,
        cadence_spm=float(cadence_raw),
        stride_length_m=stride_length_m,
        total_distance_m=total_distance_m,
        running=running,
    )


def encode_rsc_measurement(m: RscMeasurement) -> bytes:
    """Encode an RSC Measurement (inverse of :func:`decode_rsc_measurement`, values rounded to resolution)."""
    flags = (m.stride_length_m is not None) | (m.total_distance_m is not None) << 1 | m.running << 2
    out = struct.pack("<BHB", flags, min(round(m.speed_mps * 256), 0xFFFF), min(round(m.cadence_spm), 0xFF))
    if m.stride_length_m is not None:
        out += struct.pack("<H", min(round(m.stride_length_m * 100), 0xFFFF))
    if m.total_distance_m is not None:
        out += struct.pack("<I", min(round(m.total_distance_m * 10), 0xFFFFFFFF))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Polar PMD

PMD_MEASUREMENT_ACC = 0x02
PMD_OP_GET_SETTINGS = 0x01
PMD_OP_START = 0x02
PMD_OP_STOP = 0x03
PMD_RESPONSE = 0xF0
PMD_SETTING_SAMPLE_RATE = 0x00
PMD_SETTING_RESOLUTION = 0x01
PMD_SETTING_RANGE = 0x02
PMD_SETTING_RANGE_MILLI = 0x03
PMD_SETTING_CHANNELS = 0x04
PMD_SETTING_FACTOR = 0x05
PMD_SETTING_BYTES = {
    PMD_SETTING_SAMPLE_RATE: 2,
    PMD_SETTING_RESOLUTION: 2,
    PMD_SETTING_RANGE: 2,
    PMD_SETTING_RANGE_MILLI: 4,
    PMD_SETTING_CHANNELS: 1,
    PMD_SETTING_FACTOR: 4,
}
"""Bytes per value of each PMD setting type (Polar BLE SDK, ``PmdSetting``); the factor is a float32 bit pattern."""
PMD_ERROR_INVALID_SAMPLE_RATE = 8
PMD_EPOCH_UNIX_S = 946_684_800
"""Polar timestamps count nanoseconds since 2000-01-01T00:00:00 UTC; this is that instant in Unix seconds."""

_PMD_HEADER = struct.Struct("<BQB")
_PMD_RAW_ACC_BYTES = {0: 1, 1: 2, 2: 3}  # raw ACC frame type -> bytes per axis (signed, mG)
_PMD_DELTA_ACC_TYPES = {0, 1}  # delta-compressed ACC frame types, 16-bit reference samples
_PMD_ACC_RESOLUTION_BITS = 16


@dataclass(frozen=True)
class PmdFrame:
    """One decoded PMD data frame.

    Attributes
    ----------
    measurement_type
        PMD measurement type (2 = ACC).
    timestamp_ns
        Sensor time of the LAST sample in the frame, ns since 2000-01-01 (Polar's ``TimeSystemExplained.md``).
    frame_type
        Frame type without the compression bit.
    compressed
        True for a delta-compressed frame (bit 7 of the frame type byte).
    samples
        Integer samples, shape (n, 3), in the sensor's unit (milli-g for ACC) after the frame's factor.
    """

    measurement_type: int
    timestamp_ns: int
    frame_type: int
    compressed: bool
    samples: np.ndarray

    @property
    def acc_ms2(self) -> np.ndarray:
        """ACC samples converted from milli-g to m/s^2."""
        return self.samples * MG_TO_MS2


def _signed(values: np.ndarray, bits: int) -> np.ndarray:
    """Two's complement of unsigned ``bits``-wide integers."""
    values = values.astype(np.int64)
    return np.where(values >= 1 << (bits - 1), values - (1 << bits), values)


def _le_ints(data: bytes, width: int) -> np.ndarray:
    """Little-endian unsigned integers of ``width`` bytes each."""
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, width).astype(np.int64)
    return (raw << (8 * np.arange(width, dtype=np.int64))).sum(axis=1)


def decode_pmd_delta(data: bytes, *, channels: int, resolution_bits: int) -> np.ndarray:
    """Decode Polar's delta-compressed sample payload.

    Layout: one reference sample (``channels`` signed little-endian integers of ``ceil(resolution/8)`` bytes), then
    blocks of ``delta size u8`` (bits per delta), ``sample count u8`` and ``count * channels * delta size`` bits of
    signed deltas packed least-significant bit first; each sample is the previous one plus its deltas.

    Returns
    -------
    numpy.ndarray
        Samples, shape (1 + total count, channels), int64.
    """
    ref_bytes = channels * math.ceil(resolution_bits / 8)
    _need(data, ref_bytes, "PMD delta frame")
    reference = _signed(_le_ints(data[:ref_bytes], math.ceil(resolution_bits / 8)), 8 * math.ceil(resolution_bits / 8))
    blocks = [reference.reshape(1, channels)]
    offset = ref_bytes
    while offset < len(data):
        if offset + 2 > len(data):
            raise BleError(
                f"PMD delta frame: a block header is cut after {len(data)} bytes; the notification is truncated "
                "(negotiate a larger MTU)",
                reason="short_packet",
            )
        delta_bits, count = data[offset], data[offset + 1]
        offset += 2
        if delta_bits > 32 or count == 0:
            raise BleError(
                f"PMD delta frame: block with {delta_bits}-bit deltas and {count} samples is invalid; the frame is "
                "corrupt",
                reason="malformed_packet",
            )
        n_bits = count * channels * delta_bits
        n_bytes = math.ceil(n_bits / 8)
        if offset + n_bytes > len(data):
            raise BleError(
                f"PMD delta frame: block needs {n_bytes} bytes but only {len(data) - offset} remain; the "
                "notification is truncated (negotiate a larger MTU)",
                reason="short_packet",
            )
        if delta_bits == 0:
            deltas = np.zeros((count, channels), dtype=np.int64)
        else:
            bits = np.unpackbits(np.frombuffer(data, np.uint8, n_bytes, offset), bitorder="little")[:n_bits]
            weights = np.int64(1) << np.arange(delta_bits, dtype=np.int64)
            values = (bits.reshape(-1, delta_bits).astype(np.int64) * weights).sum(axis=1)
            deltas = _signed(values, delta_bits).reshape(count, channels)
        blocks.append(blocks[-1][-1] + np.cumsum(deltas, axis=0))
        offset += n_bytes
    return np.concatenate(blocks, axis=0)


def decode_pmd_frame(data: bytes, *, factor: float | None = None) -> PmdFrame:
    """Decode a PMD data notification (ACC only).

    Layout: measurement type u8, timestamp u64 LE (ns since 2000-01-01, of the last sample), frame type u8 (bit 7 =
    delta compressed), samples. Raw ACC frame types 0, 1, 2 carry 1, 2 or 3 signed bytes per axis in milli-g;
    delta-compressed types 0 and 1 carry a 16-bit reference sample and delta blocks (:func:`decode_pmd_delta`).

    Parameters
    ----------
    data
        The notification's bytes.
    factor
        Scale the sensor announced in its start response (:func:`pmd_factor`), applied to compressed frames as the
        Polar BLE SDK applies it: type 1 samples times the factor are milli-g, type 0 samples times the factor are
        g. None (no factor announced): compressed samples are taken as milli-g.

    Raises
    ------
    BleError
        ``"short_packet"``, ``"malformed_packet"``, ``"unsupported_measurement"`` (not ACC) or
        ``"unknown_frame_type"``.
    """
    data = bytes(data)
    _need(data, _PMD_HEADER.size, "PMD frame")
    measurement, timestamp_ns, frame_byte = _PMD_HEADER.unpack_from(data)
    if measurement != PMD_MEASUREMENT_ACC:
        raise BleError(
            f"PMD frame: measurement type {measurement} is not ACC ({PMD_MEASUREMENT_ACC}); only the accelerometer "
            "stream is read: start ACC through the control point",
            reason="unsupported_measurement",
        )
    compressed = bool(frame_byte & 0x80)
    frame_type = frame_byte & 0x7F
    payload = data[_PMD_HEADER.size :]
    if compressed:
        if frame_type not in _PMD_DELTA_ACC_TYPES:
            raise BleError(
                f"PMD frame: unknown compressed ACC frame type 0x{frame_byte:02x}; known are 0x80 and 0x81: the "
                "sensor's firmware is newer than this reader",
                reason="unknown_frame_type",
            )
        samples = decode_pmd_delta(payload, channels=3, resolution_bits=_PMD_ACC_RESOLUTION_BITS)
        if factor is not None:
            to_mg = factor * 1000.0 if frame_type == 0 else factor
            if to_mg != 1.0:
                samples = np.rint(samples * to_mg).astype(np.int64)
    else:
        width = _PMD_RAW_ACC_BYTES.get(frame_type)
        if width is None:
            raise BleError(
                f"PMD frame: unknown ACC frame type 0x{frame_byte:02x}; known raw types are 0, 1 and 2",
                reason="unknown_frame_type",
            )
        if len(payload) == 0 or len(payload) % (3 * width):
            raise BleError(
                f"PMD frame: {len(payload)} payload bytes is not a whole number of {3 * width}-byte ACC samples; "
                "the notification is truncated or corrupt",
                reason="malformed_packet",
            )
        samples = _signed(_le_ints(payload, width), 8 * width).reshape(-1, 3)
    return PmdFrame(PMD_MEASUREMENT_ACC, timestamp_ns, frame_type, compressed, samples)


def encode_pmd_acc_frame(samples_mg: np.ndarray, timestamp_ns: int, *, compressed: bool = False) -> bytes:
    """Encode ACC samples (n, 3) in milli-g as a PMD frame: raw type 1 (16-bit) or delta-compressed type 0x80."""
    samples = np.asarray(np.rint(samples_mg), dtype=np.int64).reshape(-1, 3)
    if not compressed:
        return _PMD_HEADER.pack(PMD_MEASUREMENT_ACC, timestamp_ns, 0x01) + samples.astype("<i2").tobytes()
    out = bytearray(_PMD_HEADER.pack(PMD_MEASUREMENT_ACC, timestamp_ns, 0x80))
    out += samples[0].astype("<i2").tobytes()
    deltas = np.diff(samples, axis=0)
    for start in range(0, len(deltas), 255):
        block = deltas[start : start + 255]
        peak = int(np.abs(block).max()) if block.size else 0
        # enough bits for the largest delta in two's complement (at least 2 so that -1 and +1 both fit)
        bits = max(2, int(peak).bit_length() + 1)
        unsigned = np.where(block < 0, block + (1 << bits), block).reshape(-1)
        bit_matrix = (unsigned[:, None] >> np.arange(bits)) & 1
        out += (
            bytes([bits, len(block)])
            + np.packbits(bit_matrix.reshape(-1).astype(np.uint8), bitorder="little").tobytes()
        )
    return bytes(out)


def encode_pmd_start(*, sample_rate_hz: int = 100, range_g: int = 8, resolution_bits: int = 16) -> bytes:
    """Control-point request that starts ACC streaming with the given settings."""
    settings = {
        PMD_SETTING_SAMPLE_RATE: [sample_rate_hz],
        PMD_SETTING_RESOLUTION: [resolution_bits],
        PMD_SETTING_RANGE: [range_g],
    }
    return bytes([PMD_OP_START, PMD_MEASUREMENT_ACC]) + encode_pmd_setting_values(settings)


PMD_GET_ACC_SETTINGS = bytes([PMD_OP_GET_SETTINGS, PMD_MEASUREMENT_ACC])
"""Control-point request for the ACC settings the sensor offers (answered with :func:`decode_pmd_setting_values`
of the response's parameters)."""


def encode_pmd_setting_values(settings: dict[int, list[int]]) -> bytes:
    """Encode settings as PMD sends them: per type, ``type u8, count u8, count x value`` (little-endian, of the
    type's size in :data:`PMD_SETTING_BYTES`)."""
    out = bytearray()
    for kind, values in settings.items():
        size = PMD_SETTING_BYTES[kind]
        out += bytes([kind, len(values)]) + b"".join(int(v).to_bytes(size, "little") for v in values)
    return bytes(out)


def decode_pmd_setting_values(data: bytes) -> dict[int, list[int]]:
    """Decode PMD settings (a settings response's or a start request's parameters) into {type: values}.

    Layout (Polar BLE SDK, ``PmdSetting``): repeated ``setting type u8, count u8, count x value``, each value
    little-endian of its type's size (:data:`PMD_SETTING_BYTES`).

    Raises
    ------
    BleError
        ``"short_packet"`` when a value is cut; ``"malformed_packet"`` for a setting type of unknown size.
    """
    data = bytes(data)
    settings: dict[int, list[int]] = {}
    offset = 0
    while offset < len(data):
        _need(data, offset + 2, "PMD settings")
        kind, count = data[offset], data[offset + 1]
        size = PMD_SETTING_BYTES.get(kind)
        if size is None:
            raise BleError(f"PMD settings: unknown setting type {kind}", reason="malformed_packet")
        _need(data, offset + 2 + size * count, "PMD settings")
        start = offset + 2
        settings[kind] = [
            int.from_bytes(data[start + i * size : start + (i + 1) * size], "little") for i in range(count)
        ]
        offset = start + size * count
    return settings


def decode_pmd_settings(data: bytes) -> dict[int, int]:
    """Decode the settings of a PMD start request into {type: value} (the first value of each type)."""
    return {kind: values[0] for kind, values in decode_pmd_setting_values(data).items() if values}


def choose_pmd_acc_settings(offered: dict[int, list[int]], *, sample_rate_hz: int = 100) -> dict[int, int]:
    """The ACC settings to start a sensor offering ``offered`` with: the sample rate nearest ``sample_rate_hz`` (the
    faster of two as near), 16-bit resolution or the finest offered, the 8 g range or the smallest above it (else
    the largest). A setting the sensor does not list keeps the requested value.

    Examples
    --------
    >>> choose_pmd_acc_settings({0: [52], 1: [16], 2: [2, 4, 8, 16]})
    {0: 52, 1: 16, 2: 8}
    >>> choose_pmd_acc_settings({0: [25, 50, 100, 200], 1: [16], 2: [2, 4, 8]}, sample_rate_hz=60)
    {0: 50, 1: 16, 2: 8}
    """
    rates = offered.get(PMD_SETTING_SAMPLE_RATE) or [sample_rate_hz]
    resolutions = offered.get(PMD_SETTING_RESOLUTION) or [_PMD_ACC_RESOLUTION_BITS]
    ranges = offered.get(PMD_SETTING_RANGE) or [8]
    wide_enough = [g for g in ranges if g >= 8]
    return {
        PMD_SETTING_SAMPLE_RATE: min(rates, key=lambda r: (abs(r - sample_rate_hz), -r)),
        PMD_SETTING_RESOLUTION: _PMD_ACC_RESOLUTION_BITS
        if _PMD_ACC_RESOLUTION_BITS in resolutions
        else max(resolutions),
        PMD_SETTING_RANGE: min(wide_enough) if wide_enough else max(ranges),
    }


def pmd_response_parameters(data: bytes) -> bytes:
    """The parameters of a control-point response (after ``0xF0, op, type, error, more``)."""
    return bytes(data)[5:]


def pmd_factor(parameters: bytes) -> float | None:
    """The scale factor a start response's parameters announce (setting type 5, a float32), None when none."""
    values = decode_pmd_setting_values(parameters).get(PMD_SETTING_FACTOR)
    return struct.unpack("<f", values[0].to_bytes(4, "little"))[0] if values else None


def pmd_factor_value(factor: float) -> int:
    """A factor as the u32 bit pattern PMD sends (inverse of :func:`pmd_factor`)."""
    return int.from_bytes(struct.pack("<f", factor), "little")


PMD_STOP_ACC = bytes([PMD_OP_STOP, PMD_MEASUREMENT_ACC])


def check_pmd_response(data: bytes, op_code: int) -> None:
    """Raise :class:`BleError` unless ``data`` is a successful control-point response to ``op_code``.

    Response layout: 0xF0, op code u8, measurement type u8, error code u8 (0 = success), more frames u8, [params].
    """
    data = bytes(data)
    _need(data, 4, "PMD control point response")
    if data[0] != PMD_RESPONSE or data[1] != op_code:
        raise BleError(
            f"PMD control point: expected a response to op 0x{op_code:02x}, got {data.hex()}",
            reason="malformed_packet",
        )
    if data[3] != 0:
        if data[3] == PMD_ERROR_INVALID_SAMPLE_RATE:
            why = "it does not offer the sample rate asked for"
        else:
            why = "another app may be streaming from it, or the settings are not supported"
        raise BleError(
            f"PMD control point: the sensor refused op 0x{op_code:02x} with error code {data[3]}; {why}",
            reason="command_failed",
        )


def pmd_timestamp_to_unix_s(timestamp_ns: int) -> float:
    """Convert a PMD timestamp (ns since 2000-01-01 UTC) to Unix seconds."""
    return PMD_EPOCH_UNIX_S + timestamp_ns / 1e9


# ---------------------------------------------------------------------------------------------------------------
# IMU stream (our open protocol, firmware_notes/PROTOCOL.md)

IMU_PROTOCOL_VERSION = 1
IMU_FLAG_GYRO = 0x01
IMU_HEADER = struct.Struct("<BHIHBHH")
"""flags/version u8, sequence u16, first-sample time u32 (us), sample period u16 (us), n u8, acc scale u16
(ug/LSB), gyro scale u16 (mdps/LSB)."""
IMU_OP_START = 0x01
IMU_OP_STOP = 0x02
IMU_OP_SET_RATE = 0x03
IMU_OP_SET_ACC_RANGE = 0x04
IMU_OP_SET_GYRO_RANGE = 0x05
IMU_RESPONSE = 0x80
IMU_STATUS_OK = 0
IMU_STATUS_UNSUPPORTED = 1
IMU_STATUS_INVALID = 2
IMU_INFO = struct.Struct("<BBHBH")
"""protocol version u8, features u8 (bit0 gyro), rate Hz u16, acc range g u8, gyro range dps u16."""
IMU_SEQ_MODULO = 1 << 16
IMU_TIME_MODULO_US = 1 << 32


@dataclass(frozen=True)
class ImuPacket:
    """One decoded IMU stream packet.

    Attributes
    ----------
    seq
        Sequence counter, u16, wraps from 65535 to 0.
    t0_us
        Sensor time of the first sample in microseconds, u32, wraps after about 71.6 minutes.
    period_us
        Sample period in microseconds.
    acc_ms2
        Acceleration in m/s^2 with gravity, shape (n, 3).
    gyr_dps
        Angular rate in deg/s, shape (n, 3), or None.
    """

    seq: int
    t0_us: int
    period_us: int
    acc_ms2: np.ndarray
    gyr_dps: np.ndarray | None

    def __len__(self) -> int:
        return len(self.acc_ms2)


@dataclass(frozen=True)
class ImuInfo:
    """The read-only info characteristic of an IMU stream sensor."""

    version: int
    has_gyro: bool
    rate_hz: int
    acc_range_g: int
    gyro_range_dps: int


def decode_imu_packet(data: bytes) -> ImuPacket:
    """Decode an IMU stream data notification (layout in ``firmware_notes/PROTOCOL.md``).

    Raises
    ------
    BleError
        ``"short_packet"``, ``"malformed_packet"`` (length not matching the sample count, zero period or scale)
        or ``"unsupported_sensor"`` (another protocol version).
    """
    data = bytes(data)
    _need(data, IMU_HEADER.size, "IMU stream packet")
    flags, seq, t0_us, period_us, n, acc_scale_ug, gyr_scale_mdps = IMU_HEADER.unpack_from(data)
    version = flags >> 4
    if version != IMU_PROTOCOL_VERSION:
        raise BleError(
            f"IMU stream packet: protocol version {version}, this reader speaks version {IMU_PROTOCOL_VERSION}; "
            "update the sensor's firmware or this program",
            reason="unsupported_sensor",
        )
    has_gyro = bool(flags & IMU_FLAG_GYRO)
    per_sample = 12 if has_gyro else 6
    expected = IMU_HEADER.size + n * per_sample
    if n == 0 or len(data) != expected:
        reason = "short_packet" if len(data) < expected else "malformed_packet"
        raise BleError(
            f"IMU stream packet: header announces {n} samples ({expected} bytes) but the packet has {len(data)} "
            "bytes; the firmware must fit each packet in the negotiated MTU minus 3",
            reason=reason,
        )
    if period_us == 0 or acc_scale_ug == 0 or (has_gyro and gyr_scale_mdps == 0):
        raise BleError(
            "IMU stream packet: zero sample period or scale in the header; the firmware is misconfigured",
            reason="malformed_packet",
        )
    raw = np.frombuffer(data, dtype="<i2", offset=IMU_HEADER.size).reshape(n, per_sample // 2).astype(float)
    acc_ms2 = raw[:, :3] * (acc_scale_ug * 1e-6 * GRAVITY_MS2)
    gyr_dps = raw[:, 3:] * (gyr_scale_mdps * 1e-3) if has_gyro else None
    return ImuPacket(seq, t0_us, period_us, acc_ms2, gyr_dps)


def encode_imu_packet(
    seq: int,
    t0_us: int,
    period_us: int,
    acc_ms2: np.ndarray,
    gyr_dps: np.ndarray | None = None,
    *,
    acc_range_g: int = 16,
    gyro_range_dps: int = 2000,
) -> bytes:
    """Encode samples as an IMU stream packet (what the reference firmware sends); values clip at the range."""
    acc_scale_ug = imu_acc_scale_ug(acc_range_g)
    gyr_scale_mdps = imu_gyro_scale_mdps(gyro_range_dps) if gyr_dps is not None else 0
    acc = np.clip(np.rint(np.asarray(acc_ms2) / (acc_scale_ug * 1e-6 * GRAVITY_MS2)), -32768, 32767)
    cols = [acc]
    if gyr_dps is not None:
        cols.append(np.clip(np.rint(np.asarray(gyr_dps) / (gyr_scale_mdps * 1e-3)), -32768, 32767))
    body = np.concatenate(cols, axis=1).astype("<i2").tobytes()
    flags = IMU_PROTOCOL_VERSION << 4 | (IMU_FLAG_GYRO if gyr_dps is not None else 0)
    header = IMU_HEADER.pack(
        flags, seq % IMU_SEQ_MODULO, t0_us % IMU_TIME_MODULO_US, period_us, len(acc), acc_scale_ug, gyr_scale_mdps
    )
    return header + body


def imu_acc_scale_ug(range_g: int) -> int:
    """Micro-g per LSB of a 16-bit accelerometer at +-``range_g``."""
    return round(range_g * 1e6 / 32768)


def imu_gyro_scale_mdps(range_dps: int) -> int:
    """Milli-deg/s per LSB of a 16-bit gyroscope at +-``range_dps``."""
    return round(range_dps * 1e3 / 32768)


def imu_samples_per_packet(mtu: int, *, has_gyro: bool) -> int:
    """How many samples fit one notification at an ATT MTU (payload = MTU - 3), at most 255."""
    return max(0, min(255, (mtu - 3 - IMU_HEADER.size) // (12 if has_gyro else 6)))


def encode_imu_command(op_code: int, value: int | None = None) -> bytes:
    """Control-point request: op code u8 and, for the set commands, a u16 LE value."""
    return bytes([op_code]) + (b"" if value is None else struct.pack("<H", value))


def check_imu_response(data: bytes, op_code: int) -> None:
    """Raise :class:`BleError` unless ``data`` is ``0x80, op, 0`` (success) for ``op_code``."""
    data = bytes(data)
    _need(data, 3, "IMU control point response")
    if data[0] != IMU_RESPONSE or data[1] != op_code:
        raise BleError(f"IMU control point: unexpected response {data.hex()}", reason="malformed_packet")
    if data[2] != IMU_STATUS_OK:
        what = {IMU_STATUS_UNSUPPORTED: "does not support", IMU_STATUS_INVALID: "rejected the value of"}.get(
            data[2], f"failed (status {data[2]}) on"
        )
        raise BleError(f"IMU control point: the sensor {what} op 0x{op_code:02x}", reason="command_failed")


def decode_imu_info(data: bytes) -> ImuInfo:
    """Decode the IMU stream info characteristic."""
    data = bytes(data)
    _need(data, IMU_INFO.size, "IMU info")
    version, features, rate_hz, acc_range_g, gyro_range_dps = IMU_INFO.unpack_from(data)
    return ImuInfo(version, bool(features & IMU_FLAG_GYRO), rate_hz, acc_range_g, gyro_range_dps)


def encode_imu_info(info: ImuInfo) -> bytes:
    """Encode the IMU stream info characteristic."""
    return IMU_INFO.pack(info.version, int(info.has_gyro), info.rate_hz, info.acc_range_g, info.gyro_range_dps)


# ---------------------------------------------------------------------------------------------------------------
# BBC micro:bit

MICROBIT_PERIODS_MS = (1, 2, 5, 10, 20, 80, 160, 640)
"""Accelerometer periods the micro:bit DAL accepts; others are rounded by the board."""


def decode_microbit_acc(data: bytes) -> np.ndarray:
    """Decode a micro:bit accelerometer notification (x, y, z as i16 LE milli-g) to m/s^2, shape (3,).

    The micro:bit reports the gravity vector (face up: z about -1000 mg); the sign is flipped here to the specific
    force convention of the core (at rest the vector points up).
    """
    data = bytes(data)
    if len(data) != 6:
        raise BleError(
            f"micro:bit accelerometer: expected 6 bytes (x, y, z as i16), got {len(data)}",
            reason="short_packet" if len(data) < 6 else "malformed_packet",
        )
    return -np.array(struct.unpack("<3h", data), dtype=float) * MG_TO_MS2


def encode_microbit_acc(acc_ms2: np.ndarray) -> bytes:
    """Encode one sample in m/s^2 (core convention) as a micro:bit accelerometer notification."""
    mg = np.clip(np.rint(-np.asarray(acc_ms2, dtype=float) / MG_TO_MS2), -32768, 32767).astype(int)
    return struct.pack("<3h", *mg)
