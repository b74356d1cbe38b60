"""Pure decoders against hand-computed byte vectors, round trips and malformed input."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.consts import GRAVITY_MS2
from ingest.ble.errors import BleError
from ingest.ble.protocols import (
    IMU_OP_START,
    PMD_OP_START,
    ImuInfo,
    RscMeasurement,
    check_imu_response,
    check_pmd_response,
    decode_imu_info,
    decode_imu_packet,
    decode_microbit_acc,
    decode_pmd_frame,
    decode_pmd_settings,
    decode_rsc_measurement,
    encode_imu_info,
    encode_imu_packet,
    encode_microbit_acc,
    encode_pmd_acc_frame,
    encode_pmd_start,
    encode_rsc_measurement,
    imu_samples_per_packet,
    pmd_timestamp_to_unix_s,
)
from ingest.errors import IngestError

pytestmark = pytest.mark.timeout(60)

TS_1S = bytes.fromhex("00ca9a3b00000000")  # 1_000_000_000 ns, u64 LE


# --- RSC ----------------------------------------------------------------------------------------------------------


def test_rsc_minimal_walking() -> None:
    m = decode_rsc_measurement(bytes.fromhex("0000025a"))
    assert m == RscMeasurement(speed_mps=2.0, cadence_spm=90.0, stride_length_m=None, total_distance_m=None)


def test_rsc_all_fields() -> None:
    # flags 7: stride + distance + running; speed 0x0180 = 1.5 m/s; cadence 120; stride 140 cm; distance 10000 dm
    m = decode_rsc_measurement(bytes.fromhex("078001788c0010270000"))
    assert m.speed_mps == 1.5
    assert m.cadence_spm == 120.0
    assert m.stride_length_m == 1.40
    assert m.total_distance_m == 1000.0
    assert m.running is True


def test_rsc_distance_without_stride() -> None:
    m = decode_rsc_measurement(bytes.fromhex("020001640a000000"))
    assert (m.speed_mps, m.stride_length_m, m.total_distance_m, m.running) == (1.0, None, 1.0, False)


@pytest.mark.parametrize("hex_bytes", ["", "00", "000002", "0100025a", "0100025a8c", "0300025a8c0010"])
def test_rsc_short_packets_raise(hex_bytes: str) -> None:
    with pytest.raises(BleError) as info:
        decode_rsc_measurement(bytes.fromhex(hex_bytes))
    assert info.value.reason == "short_packet"
    assert isinstance(info.value, IngestError)


@given(
    speed=st.integers(0, 0xFFFF),
    cadence=st.integers(0, 255),
    stride=st.none() | st.integers(0, 0xFFFF),
    dist=st.none() | st.integers(0, 0xFFFFFFFF),
    running=st.booleans(),
)
def test_rsc_round_trip(speed: int, cadence: int, stride: int | None, dist: int | None, running: bool) -> None:
    m = RscMeasurement(
        speed / 256,
        float(cadence),
        None if stride is None else stride / 100,
        None if dist is None else dist / 10,
        running,
    )
    assert decode_rsc_measurement(encode_rsc_measurement(m)) == m


# --- Polar PMD ----------------------------------------------------------------------------------------------------


def test_pmd_raw_16bit_frame() -> None:
    frame = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("01e803feff03000000e8030000"))
    assert frame.measurement_type == 2
    assert frame.timestamp_ns == 1_000_000_000
    assert (frame.frame_type, frame.compressed) == (1, False)
    np.testing.assert_array_equal(frame.samples, [[1000, -2, 3], [0, 1000, 0]])
    np.testing.assert_allclose(frame.acc_ms2[0], [GRAVITY_MS2, -2 * GRAVITY_MS2 / 1000, 3 * GRAVITY_MS2 / 1000])


def test_pmd_raw_8bit_and_24bit_frames() -> None:
    f8 = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("00ff027f"))
    np.testing.assert_array_equal(f8.samples, [[-1, 2, 127]])
    f24 = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("0218fcff000000010000"))
    np.testing.assert_array_equal(f24.samples, [[-1000, 0, 1]])


def test_pmd_delta_frame_hand_packed() -> None:
    # reference (100, -100, 0); block 1: 3-bit deltas, 2 samples: (1, -1, 3), (-4, 0, 2) packed LSB first
    # -> f9 08 01; block 2: 8-bit deltas, 1 sample: (-128, 127, 0)
    payload = bytes.fromhex("64009cff00000302f908010801807f00")
    frame = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("80") + payload)
    assert frame.compressed and frame.frame_type == 0
    np.testing.assert_array_equal(frame.samples, [[100, -100, 0], [101, -101, 3], [97, -101, 5], [-31, 26, 5]])


def test_pmd_delta_frame_factor() -> None:
    """The start response's factor, as the Polar BLE SDK applies it (AccData.swift): compressed type 1 samples
    times the factor are milli-g; compressed type 0 samples times the factor are g."""
    payload = bytes.fromhex("64009cff0000")
    frame = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("81") + payload, factor=0.5)
    np.testing.assert_array_equal(frame.samples, [[50, -50, 0]])
    frame = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("80") + payload, factor=0.0005)
    np.testing.assert_array_equal(frame.samples, [[50, -50, 0]])
    # no factor announced: the samples as they are
    frame = decode_pmd_frame(bytes.fromhex("02") + TS_1S + bytes.fromhex("80") + payload)
    np.testing.assert_array_equal(frame.samples, [[100, -100, 0]])


def test_pmd_settings_response_and_factor_as_the_sdk_lays_them_out() -> None:
    """A settings response's parameters: type u8, count u8, values of the type's size (rate, resolution and range
    u16, channels u8, factor a float32); a Verity Sense offers its accelerometer at 52 Hz only."""
    from ingest.ble.protocols import choose_pmd_acc_settings, decode_pmd_setting_values, pmd_factor

    # 0xF0 0x01 0x02 0x00 0x00, then: rate 1 x 52; resolution 1 x 16; range 4 x (2, 4, 8, 16); channels 1 x 3
    response = bytes.fromhex("f001020000" + "00013400" + "01011000" + "02040200040008001000" + "040103")
    check_pmd_response(response, 0x01)
    offered = decode_pmd_setting_values(response[5:])
    assert offered == {0: [52], 1: [16], 2: [2, 4, 8, 16], 4: [3]}
    assert choose_pmd_acc_settings(offered) == {0: 52, 1: 16, 2: 8}
    # a start response carrying factor 1/4096 (0x39800000 as float32)
    assert pmd_factor(bytes.fromhex("05010000" + "8039")) == 1 / 4096
    assert pmd_factor(b"") is None


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("02" + TS_1S.hex() + "03" + "000000", "unknown_frame_type"),
        ("02" + TS_1S.hex() + "85" + "000000000000", "unknown_frame_type"),
        ("00" + TS_1S.hex() + "00" + "000000", "unsupported_measurement"),
        ("02" + TS_1S.hex(), "short_packet"),
        ("02" + TS_1S.hex()[:6], "short_packet"),
        ("02" + TS_1S.hex() + "01" + "e803fe", "malformed_packet"),
        ("02" + TS_1S.hex() + "01", "malformed_packet"),
        ("02" + TS_1S.hex() + "80" + "6400" + "9cff" + "0000" + "0302" + "f908", "short_packet"),
        ("02" + TS_1S.hex() + "80" + "6400" + "9cff" + "0000" + "03", "short_packet"),
        ("02" + TS_1S.hex() + "80" + "6400" + "9c", "short_packet"),
        ("02" + TS_1S.hex() + "80" + "6400" + "9cff" + "0000" + "0300", "malformed_packet"),
    ],
)
def test_pmd_bad_frames_raise(frame: str, reason: str) -> None:
    with pytest.raises(BleError) as info:
        decode_pmd_frame(bytes.fromhex(frame))
    assert info.value.reason == reason


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(*[st.integers(-32768, 32767)] * 3), min_size=1, max_size=400),
    st.booleans(),
    st.integers(0, 2**63),
)
def test_pmd_round_trip(samples: list[tuple[int, int, int]], compressed: bool, ts: int) -> None:
    data = encode_pmd_acc_frame(np.array(samples), ts, compressed=compressed)
    frame = decode_pmd_frame(data)
    assert frame.timestamp_ns == ts and frame.compressed == compressed
    np.testing.assert_array_equal(frame.samples, samples)


def test_pmd_control_point() -> None:
    start = encode_pmd_start(sample_rate_hz=52, range_g=8)
    assert start[:2] == bytes([PMD_OP_START, 2])
    assert decode_pmd_settings(start[2:]) == {0: 52, 1: 16, 2: 8}
    check_pmd_response(bytes.fromhex("f002020000"), PMD_OP_START)
    with pytest.raises(BleError) as info:
        check_pmd_response(bytes.fromhex("f002020600"), PMD_OP_START)
    assert info.value.reason == "command_failed"
    with pytest.raises(BleError):
        check_pmd_response(bytes.fromhex("f0030200"), PMD_OP_START)


def test_pmd_epoch() -> None:
    assert pmd_timestamp_to_unix_s(0) == 946_684_800.0  # 2000-01-01T00:00:00Z


# --- IMU stream ---------------------------------------------------------------------------------------------------


def test_imu_packet_acc_only() -> None:
    # v1 no gyro, seq 0xffff, t0 1 s, period 10 ms, 1 sample, 488 ug/LSB, sample (0, 0, 2048)
    packet = decode_imu_packet(bytes.fromhex("10ffff40420f00102701e8010000000000000008"))
    assert (packet.seq, packet.t0_us, packet.period_us, len(packet)) == (0xFFFF, 1_000_000, 10_000, 1)
    np.testing.assert_allclose(packet.acc_ms2, [[0.0, 0.0, 2048 * 488e-6 * GRAVITY_MS2]])
    assert packet.gyr_dps is None


def test_imu_packet_with_gyro() -> None:
    data = bytes.fromhex("11010000000000102701e8013d000000f4ff000064009cff0000")
    packet = decode_imu_packet(data)
    np.testing.assert_allclose(packet.acc_ms2, [[0.0, -12 * 488e-6 * GRAVITY_MS2, 0.0]])
    np.testing.assert_allclose(packet.gyr_dps, [[6.1, -6.1, 0.0]])


@pytest.mark.parametrize(
    ("hex_bytes", "reason"),
    [
        ("10ffff40420f00102701e8010000", "short_packet"),  # header says 1 sample, none sent
        ("10ffff40420f00102701e801000000000000000800", "malformed_packet"),  # one byte too many
        ("10ffff40420f00102700e8010000", "malformed_packet"),  # zero samples
        ("20ffff40420f00102701e8010000000000000008", "unsupported_sensor"),  # protocol version 2
        ("10ffff40420f00000001e8010000000000000008", "malformed_packet"),  # zero period
        ("10ffff", "short_packet"),
    ],
)
def test_imu_bad_packets_raise(hex_bytes: str, reason: str) -> None:
    with pytest.raises(BleError) as info:
        decode_imu_packet(bytes.fromhex(hex_bytes))
    assert info.value.reason == reason


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 19), gyro=st.booleans(), seq=st.integers(0, 2**20), t0=st.integers(0, 2**40))
def test_imu_round_trip(n: int, gyro: bool, seq: int, t0: int) -> None:
    rng = np.random.default_rng(n)
    acc = rng.uniform(-100, 100, (n, 3))
    gyr = rng.uniform(-1500, 1500, (n, 3)) if gyro else None
    data = encode_imu_packet(seq, t0, 5000, acc, gyr)
    assert len(data) <= 247 - 3
    p = decode_imu_packet(data)
    assert (p.seq, p.t0_us, p.period_us) == (seq % 65536, t0 % 2**32, 5000)
    np.testing.assert_allclose(p.acc_ms2, acc, atol=0.5 * 488e-6 * GRAVITY_MS2 + 1e-9)
    if gyro:
        np.testing.assert_allclose(p.gyr_dps, gyr, atol=0.5 * 0.061 + 1e-9)


def test_imu_samples_per_packet() -> None:
    assert imu_samples_per_packet(23, has_gyro=False) == 1  # (23 - 3 - 14) // 6
    assert imu_samples_per_packet(23, has_gyro=True) == 0  # a gyro sample needs MTU >= 29
    assert imu_samples_per_packet(247, has_gyro=True) == 19
    assert imu_samples_per_packet(247, has_gyro=False) == 38


def test_imu_control_and_info() -> None:
    check_imu_response(bytes([0x80, IMU_OP_START, 0]), IMU_OP_START)
    with pytest.raises(BleError) as info:
        check_imu_response(bytes([0x80, IMU_OP_START, 2]), IMU_OP_START)
    assert info.value.reason == "command_failed"
    inf = ImuInfo(1, True, 100, 16, 2000)
    assert decode_imu_info(encode_imu_info(inf)) == inf
    assert encode_imu_info(inf).hex() == "01016400" + "10" + "d007"


# --- micro:bit ----------------------------------------------------------------------------------------------------


def test_microbit_sign_and_scale() -> None:
    # face up at rest: the micro:bit reports z = -1024 mg (gravity vector); the core wants +1.024 g up
    acc = decode_microbit_acc(bytes.fromhex("0a00f6ff00fc"))
    np.testing.assert_allclose(acc, [-10 * GRAVITY_MS2 / 1000, 10 * GRAVITY_MS2 / 1000, 1024 * GRAVITY_MS2 / 1000])
    np.testing.assert_allclose(decode_microbit_acc(encode_microbit_acc(acc)), acc)


@pytest.mark.parametrize("n", [0, 5, 7])
def test_microbit_bad_length(n: int) -> None:
    with pytest.raises(BleError):
        decode_microbit_acc(bytes(n))


# --- fuzzing: any bytes give a value or a BleError, never another exception -----------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decoders_never_crash_on_garbage(data: bytes) -> None:
    for decode in (decode_rsc_measurement, decode_pmd_frame, decode_imu_packet, decode_microbit_acc, decode_imu_info):
        with contextlib.suppress(BleError):
            decode(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=120))
def test_pmd_delta_payloads_never_crash(payload: bytes) -> None:
    header = bytes.fromhex("02") + TS_1S + bytes.fromhex("80")
    try:
        frame = decode_pmd_frame(header + payload)
    except BleError:
        return
    assert frame.samples.shape[1] == 3
