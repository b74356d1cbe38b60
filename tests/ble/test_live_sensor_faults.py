"""A maker's sensor on the virtual radio: streams too slow to see steps, Polar rates, silence and lost links.

Every test goes through bleak's public API to virtual sensors (GATT servers on Bumble), as a real sensor is read.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient

from gait.errors import GaitError
from gait.types import Recording
from ingest.ble import protocols as p
from ingest.ble.errors import BleError
from ingest.ble.virtual import SensorFaults, VirtualRadio, VirtualSensor
from service.live import load_journal
from tests.ble.conftest import STEP_HZ, Outcome, run_session, walk_recording

pytestmark = pytest.mark.timeout(60)


def resampled(recording: Recording, rate_hz: float) -> Recording:
    """``recording`` sampled at ``rate_hz`` (linear interpolation of each axis)."""
    t = np.arange(recording.time_s[0], recording.time_s[-1], 1.0 / rate_hz)
    acc = np.column_stack([np.interp(t, recording.time_s, recording.acc_ms2[:, k]) for k in range(3)])
    return Recording(time_s=t, acc_ms2=acc, placement=recording.placement)


def test_a_live_stream_under_20_hz_ends_with_the_cores_message_and_keeps_its_samples(tmp_path: Path) -> None:
    """QA: a 17 Hz sensor was analysed live (6 strides) while `gait analyze` of its own journal refused it."""

    async def main() -> Outcome:
        radio = VirtualRadio()
        sensor = await radio.add_sensor(VirtualSensor(resampled(walk_recording(12.0), 17.0), name="Slow17", speed=4))
        return await run_session(radio, sensor, tmp_path)

    out = asyncio.run(main())
    assert isinstance(out.error, GaitError) and out.error.reason == "rate_too_low"
    assert "Slow17: sampled at 17.0 Hz, below the 20 Hz needed to see individual steps" in str(out.error)
    assert out.of("stride") == [] and out.of("step") == []  # nothing analysed from a stream too slow for steps
    assert out.state.error == str(out.error)
    journal = out.session.journal_path
    assert out.state.samples > 0 and len(journal.read_text().splitlines()) == out.state.samples + 1
    with pytest.raises(Exception, match="below the 20 Hz"):  # the same refusal as the file's analysis
        load_journal(journal)

    # the rate is the median interval between samples with no gap reported between them: a 25 Hz stream that loses
    # 40 % of its packets is not taken for one under 20 Hz
    async def lossy() -> Outcome:
        radio = VirtualRadio()
        faults = SensorFaults(drop_probability=0.4, seed=3)
        rec = resampled(walk_recording(12.0), 25.0)
        sensor = await radio.add_sensor(VirtualSensor(rec, name="Lossy25", speed=4, faults=faults))
        return await run_session(radio, sensor, tmp_path / "lossy")

    out = asyncio.run(lossy())
    assert out.error is None, out.error
    assert out.state.gaps > 0 and len(out.of("stride")) >= 5


def test_a_virtual_imu_sensor_refuses_a_rate_its_period_field_cannot_hold() -> None:
    """QA: at 15 Hz the period (66667 us) does not fit the protocol's u16; the virtual sensor swallowed the
    struct.error and sent nothing."""
    with pytest.raises(BleError, match="65535 us") as info:
        VirtualSensor(resampled(walk_recording(4.0), 15.0), name="Slow15")
    assert info.value.reason == "bad_setting"


def test_a_verity_sense_streams_at_the_52_hz_it_offers_with_correct_sample_times(tmp_path: Path) -> None:
    """QA: the reader always asked PMD for 100 Hz; a Verity Sense's accelerometer offers 52 Hz only, so its start
    was refused. Now the reader asks the settings (op 0x01), starts at the offered rate nearest 100 Hz and times
    the samples at that rate; the compressed frames' factor comes from the start response."""
    rec = resampled(walk_recording(10.0), 52.0)

    async def main() -> tuple[Outcome, VirtualSensor]:
        radio = VirtualRadio()
        sense = VirtualSensor(rec, protocol="pmd_compressed", name="Polar Sense 1", speed=4, pmd_rates_hz=(52,))
        await radio.add_sensor(sense)
        return await run_session(radio, sense, tmp_path), sense

    out, sense = asyncio.run(main())
    assert out.error is None, out.error
    assert sense.pmd_started_hz == 52
    assert out.state.samples == rec.n_samples and out.state.gaps == 0
    journal = load_journal(out.session.journal_path)
    np.testing.assert_allclose(np.diff(journal.time_s), 1 / 52, atol=1e-5)
    np.testing.assert_allclose(journal.acc_ms2, rec.acc_ms2, atol=0.01)  # the factor read, not assumed
    strides = out.of("stride")
    assert len(strides) >= 5
    assert np.median([s["cadence_spm"] for s in strides]) == pytest.approx(60 * STEP_HZ, rel=0.03)


def test_virtual_polar_sensors_list_their_rates_and_refuse_others() -> None:
    """Over bleak: an H10 lists 25/50/100/200 Hz, a Verity Sense 52 Hz; a start at a rate not offered is refused
    with PMD error 8 (invalid sample rate), as a real sensor refuses it."""

    async def main() -> dict[str, tuple[dict[int, list[int]], bytes]]:
        radio = VirtualRadio()
        h10 = await radio.add_sensor(VirtualSensor(walk_recording(3.0), protocol="pmd", name="Polar H10 1"))
        sense = await radio.add_sensor(
            VirtualSensor(resampled(walk_recording(3.0), 52.0), protocol="pmd_compressed", name="Polar Sense 1")
        )
        out = {}
        for sensor in (h10, sense):
            answers: asyncio.Queue[bytes] = asyncio.Queue()
            async with BleakClient(sensor.address, backend=radio.client_backend) as client:
                await client.start_notify(p.PMD_CONTROL_POINT_UUID, lambda _c, d, q=answers: q.put_nowait(bytes(d)))
                await client.write_gatt_char(p.PMD_CONTROL_POINT_UUID, p.PMD_GET_ACC_SETTINGS, response=True)
                settings = await asyncio.wait_for(answers.get(), 3.0)
                p.check_pmd_response(settings, p.PMD_OP_GET_SETTINGS)
                await client.write_gatt_char(p.PMD_CONTROL_POINT_UUID, p.encode_pmd_start(sample_rate_hz=200), True)
                out[sensor.name] = (p.decode_pmd_setting_values(settings[5:]), await asyncio.wait_for(answers.get(), 3))
        await radio.close()
        return out

    got = asyncio.run(main())
    assert got["Polar H10 1"][0][p.PMD_SETTING_SAMPLE_RATE] == [25, 50, 100, 200]
    assert got["Polar Sense 1"][0][p.PMD_SETTING_SAMPLE_RATE] == [52]
    for _, refused in got.values():
        with pytest.raises(BleError, match="does not offer the sample rate"):
            p.check_pmd_response(refused, p.PMD_OP_START)


def test_at_mtu_23_a_gyro_sensor_that_fits_no_sample_is_named_as_the_cause(tmp_path: Path) -> None:
    """QA: a gyro sensor following PROTOCOL.md sends nothing at MTU 23 (one sample needs 14 + 12 = 26 bytes, a
    notification holds 20); the reader blamed wearing, charge and other apps although it knew the MTU."""

    async def main() -> Outcome:
        radio = VirtualRadio(central_mtu=23)
        sensor = await radio.add_sensor(VirtualSensor(walk_recording(4.0, gyro=True), name="Tiny", speed=4))
        return await run_session(radio, sensor, tmp_path)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "no_data"
    message = str(out.error)
    assert "the ATT MTU negotiated is 23" in message and "accelerometer and gyroscope packet (26 bytes)" in message
    assert "larger MTU" in message and "worn" not in message


def test_a_link_lost_for_good_says_in_plain_words_that_the_sensor_did_not_answer(tmp_path: Path) -> None:
    """QA: "lost GaitIMU and could not reconnect for 10 s (TimeoutError)"."""

    async def main() -> Outcome:
        radio = VirtualRadio()
        faults = SensorFaults(drop_link_after_s=3.0, link_down_s=600.0)
        sensor = await radio.add_sensor(VirtualSensor(walk_recording(20.0), name="Gone", speed=2, faults=faults))
        return await run_session(radio, sensor, tmp_path, connect_timeout_s=0.5, reconnect_window_s=1.0)

    out = asyncio.run(main())
    assert isinstance(out.error, BleError) and out.error.reason == "link_lost"
    assert "lost Gone and could not reconnect for 1 s (the sensor did not answer)" in str(out.error)
    assert "Error" not in str(out.error)


def test_the_demo_polar_sense_offers_52_hz_only_and_replays_its_walk_resampled_without_aliasing() -> None:
    """QA: the virtual radio's "Polar Sense DEMO" offered an H10's rates for its 100 Hz recording, so the Verity
    Sense's 52 Hz-only path could not be tried on it."""
    from ingest.ble.virtual import resampled, start_demo_radio
    from service.commands.live import demo_recording

    rec = demo_recording()
    assert np.median(np.diff(rec.time_s)) == pytest.approx(0.01)  # the sample is a 100 Hz recording

    async def sensors() -> tuple[VirtualSensor, VirtualSensor]:
        radio, sense = await start_demo_radio(rec, protocol="pmd_compressed")
        await radio.close()
        radio, h10 = await start_demo_radio(rec, protocol="pmd")
        await radio.close()
        return sense, h10

    sense, h10 = asyncio.run(sensors())
    assert sense.name == "Polar Sense DEMO" and sense.pmd_rates_hz == (52,) and sense.rate_hz == 52
    assert h10.pmd_rates_hz == (25, 50, 100, 200) and h10.recording is rec  # the H10 replays the sample as it is
    got = sense.recording
    np.testing.assert_allclose(np.diff(got.time_s), 1 / 52, atol=1e-9)
    assert (got.placement, got.body_height_m, got.sensor_height_m) == (
        rec.placement,
        rec.body_height_m,
        rec.sensor_height_m,
    )
    assert got.duration_s == pytest.approx(rec.duration_s, abs=2 / 52)
    # the walk itself (well under the 26 Hz the new rate holds): as the recording read at the new times
    inside = (got.time_s > rec.time_s[0] + 1) & (got.time_s < rec.time_s[-1] - 1)
    at_new_times = np.interp(got.time_s[inside], rec.time_s, rec.acc_ms2[:, 2])
    walk_ms2 = got.acc_ms2[inside, 2] - at_new_times
    assert np.std(walk_ms2) < 0.15 * np.std(at_new_times)
    # a 40 Hz vibration (above 26 Hz) is filtered out, not folded into the walk at 12 Hz as reading the samples at
    # the new times would fold it
    t = np.asarray(rec.time_s)
    shaken = Recording(t, rec.acc_ms2 + np.sin(2 * np.pi * 40 * t)[:, None], rec.gyr_dps, rec.placement)
    folded_ms2 = resampled(shaken, 52).acc_ms2[inside] - got.acc_ms2[inside]
    assert np.abs(folded_ms2).max() < 0.05  # of an amplitude of 1 m/s^2
    naive_ms2 = np.interp(got.time_s[inside], t, shaken.acc_ms2[:, 0]) - np.interp(
        got.time_s[inside], t, rec.acc_ms2[:, 0]
    )
    assert np.abs(naive_ms2).max() > 0.5  # what the filter is for
