"""The reference firmware (firmware_notes/imu_stream_aioble.py) run on CPython against a stand-in for aioble.

MicroPython and a radio are not available here, so the firmware's imports are served by fakes: ``FakeAioble``
reproduces the behaviour of micropython-lib's aioble that the firmware depends on (aioble/device.py:
``DeviceTimeout`` cancels the waiting task only when it was given the connection, ``DeviceConnection.device_task``
cancels the registered waits on disconnect and ``DeviceTimeout.__exit__`` turns that into
``DeviceDisconnectedError``; aioble/server.py: ``Characteristic.written`` waits under ``DeviceTimeout(None,
timeout_ms)``), ``FakeTime`` the MicroPython ticks functions wrapping at 2**30. The packets the firmware sends are
decoded by the product's own reader (``ingest.ble.protocols``).
"""

from __future__ import annotations

import asyncio
import builtins
import struct
import time
import types
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gait.consts import GRAVITY_MS2
from ingest.ble.protocols import decode_imu_info, decode_imu_packet

pytestmark = pytest.mark.timeout(60)

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware_notes" / "imu_stream_aioble.py"
TICKS_PERIOD = 2**30  # MicroPython's ticks period on 32-bit ports (ESP32, nRF)
# what the fake MPU-6050 measures: 1 g on z at +-16 g (2048 LSB/g), 100 LSB on gyro x at +-2000 dps (16.4 LSB/dps)
IMU_REGISTERS = struct.pack(">7h", 0, 0, 2048, 0, 100, 0, 0)


class FakeTime:
    """MicroPython's ``time`` ticks: real elapsed time (or a manual clock) shifted by ``offset_us``, mod 2**30."""

    def __init__(self, offset_us: int = 0, manual: bool = False) -> None:
        self.offset_us = offset_us
        self.manual_us: int | None = 0 if manual else None
        self._origin_ns = time.monotonic_ns()

    def _now_us(self) -> int:
        if self.manual_us is not None:
            return self.manual_us + self.offset_us
        return (time.monotonic_ns() - self._origin_ns) // 1000 + self.offset_us

    def ticks_us(self) -> int:
        return self._now_us() % TICKS_PERIOD

    def ticks_ms(self) -> int:
        return (self._now_us() // 1000) % TICKS_PERIOD

    @staticmethod
    def ticks_diff(a: int, b: int) -> int:
        return (a - b + TICKS_PERIOD // 2) % TICKS_PERIOD - TICKS_PERIOD // 2

    @staticmethod
    def ticks_add(a: int, delta: int) -> int:
        return (a + delta) % TICKS_PERIOD


class DeviceDisconnectedError(Exception):
    pass


class DeviceTimeout:
    """aioble/device.py's DeviceTimeout: a disconnect cancels the wait only when ``connection`` is given."""

    def __init__(self, connection: FakeConnection | None, timeout_ms: int | None) -> None:
        self._connection = connection
        self._timeout_ms = timeout_ms
        self._timeout_task: asyncio.Task[None] | None = None
        self._task = asyncio.current_task()
        if connection:
            connection._timeouts.append(self)

    async def _timeout_sleep(self) -> None:
        try:
            await asyncio.sleep((self._timeout_ms or 0) / 1000)
        except asyncio.CancelledError:
            return
        self._timeout_task = None
        assert self._task is not None
        self._task.cancel()

    def __enter__(self) -> None:
        if self._timeout_ms:
            self._timeout_task = asyncio.create_task(self._timeout_sleep())

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._connection:
            self._connection._timeouts.remove(self)
        try:
            if exc_type is asyncio.CancelledError:
                if self._timeout_ms and self._timeout_task is None:
                    raise TimeoutError
                if self._connection and self._connection._conn_handle is None:
                    raise DeviceDisconnectedError
        finally:
            if self._timeout_task:
                self._timeout_task.cancel()


class FakeConnection:
    """A central's link; ``central_mtu`` None: a central that never answers the MTU exchange."""

    def __init__(self, central_mtu: int | None = 247) -> None:
        self._conn_handle: int | None = 1
        self.mtu: int | None = None
        self._timeouts: list[DeviceTimeout] = []
        self._central_mtu = central_mtu

    def is_connected(self) -> bool:
        return self._conn_handle is not None

    def timeout(self, timeout_ms: int | None) -> DeviceTimeout:
        return DeviceTimeout(self, timeout_ms)

    async def exchange_mtu(self, mtu: int | None = None, timeout_ms: int = 1000) -> int | None:
        if not self.is_connected():
            raise ValueError("Not connected")
        with self.timeout(timeout_ms):
            if self._central_mtu is None:
                await asyncio.Event().wait()
            self.mtu = min(mtu or 23, self._central_mtu or 23)
        return self.mtu

    def drop(self) -> None:
        """The link is lost: what aioble's DeviceConnection.device_task does on the disconnect IRQ."""
        self._conn_handle = None
        for t in list(self._timeouts):
            assert t._task is not None
            t._task.cancel()


class FakeCharacteristic:
    def __init__(self, radio: FakeAioble, service: Any, uuid: str, **flags: bool) -> None:
        self.radio, self.uuid, self.flags = radio, uuid, flags
        self.value = b""
        self._writes: asyncio.Queue[tuple[FakeConnection, bytes]] | None = None

    def write(self, data: bytes, send_update: bool = False) -> None:
        self.value = bytes(data)

    def read(self) -> bytes:
        return self.value

    def _queue(self) -> asyncio.Queue[tuple[FakeConnection, bytes]]:
        if self._writes is None:
            self._writes = asyncio.Queue()
        return self._writes

    def remote_write(self, connection: FakeConnection, data: bytes) -> None:
        """A central writes (capture mode: queued with its connection until ``written`` takes it)."""
        self._queue().put_nowait((connection, bytes(data)))

    async def written(self, timeout_ms: int | None = None) -> tuple[FakeConnection, bytes]:
        with DeviceTimeout(None, timeout_ms):  # as aioble/server.py: not tied to the connection
            return await self._queue().get()

    def notify(self, connection: FakeConnection, data: bytes | None = None) -> None:
        if connection._conn_handle is None:
            raise OSError("not connected")  # ble.gatts_notify with no connection handle
        self.radio.notified.append((connection, bytes(data or b"")))

    async def indicate(self, connection: FakeConnection, data: bytes | None = None, timeout_ms: int = 1000) -> None:
        if not connection.is_connected():
            raise ValueError("Not connected")
        self.radio.indicated.append((connection, bytes(data or b"")))


class FakeAioble(types.ModuleType):
    """The part of aioble the firmware uses, plus the central's side for the tests."""

    def __init__(self) -> None:
        super().__init__("aioble")
        self.DeviceDisconnectedError = DeviceDisconnectedError
        self.incoming: asyncio.Queue[FakeConnection] | None = None
        self.advertised = 0
        self.notified: list[tuple[FakeConnection, bytes]] = []
        self.indicated: list[tuple[FakeConnection, bytes]] = []
        self.chars: dict[str, FakeCharacteristic] = {}

    def Service(self, uuid: str) -> Any:  # noqa: N802 - aioble's names
        return types.SimpleNamespace(uuid=uuid)

    def Characteristic(self, service: Any, uuid: str, **flags: bool) -> FakeCharacteristic:  # noqa: N802
        self.chars[uuid] = FakeCharacteristic(self, service, uuid, **flags)
        return self.chars[uuid]

    def register_services(self, *services: Any) -> None:
        pass

    async def advertise(self, interval_us: int, name: str | None = None, **_kw: Any) -> FakeConnection:
        self.advertised += 1
        if self.incoming is None:
            self.incoming = asyncio.Queue()
        return await self.incoming.get()

    def connect(self, connection: FakeConnection) -> FakeConnection:
        if self.incoming is None:
            self.incoming = asyncio.Queue()
        self.incoming.put_nowait(connection)
        return connection


class Firmware:
    """The firmware file executed with fake aioble, bluetooth, machine, time and uasyncio."""

    def __init__(self, clock: FakeTime | None = None) -> None:
        self.aioble = FakeAioble()
        self.time = clock or FakeTime()
        uasyncio = types.ModuleType("uasyncio")
        uasyncio.__dict__.update(vars(asyncio))
        uasyncio.sleep_ms = lambda ms: asyncio.sleep(ms / 1000)  # type: ignore[attr-defined]
        uasyncio.run = lambda coro: coro.close()  # type: ignore[attr-defined]  # the tests run main() themselves
        bluetooth = types.SimpleNamespace(UUID=str)
        i2c = types.SimpleNamespace(writeto_mem=lambda *a: None, readfrom_mem=lambda *a: IMU_REGISTERS)
        machine = types.SimpleNamespace(I2C=lambda *a, **k: i2c, Pin=lambda n: n)
        fakes = {"aioble": self.aioble, "bluetooth": bluetooth, "uasyncio": uasyncio, "machine": machine}
        fakes["time"] = self.time

        def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
            return fakes[name] if name in fakes else builtins.__import__(name, *args, **kwargs)

        self.ns: dict[str, Any] = {"__name__": "imu_stream_aioble", "__builtins__": {**vars(builtins)}}
        self.ns["__builtins__"]["__import__"] = fake_import
        exec(compile(FIRMWARE.read_text(), str(FIRMWARE), "exec"), self.ns)
        self.control = self.aioble.chars["6a4e0003-7c1f-4b8e-9d2a-3f5c8b1e2d40"]
        self.info = self.aioble.chars["6a4e0004-7c1f-4b8e-9d2a-3f5c8b1e2d40"]

    def data_to(self, connection: FakeConnection) -> list[bytes]:
        return [d for c, d in self.aioble.notified if c is connection]

    def answers_to(self, connection: FakeConnection) -> list[bytes]:
        return [d for c, d in self.aioble.indicated if c is connection]


async def until(condition: Callable[[], bool], timeout_s: float = 2.0) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def run_with_main(fw: Firmware, scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    async def go() -> None:
        main = asyncio.create_task(fw.ns["main"]())
        try:
            await scenario()
        finally:
            main.cancel()
            await asyncio.gather(main, return_exceptions=True)

    asyncio.run(go())


def test_a_link_drop_while_waiting_for_a_control_write_lets_the_board_advertise_again() -> None:
    fw = Firmware()
    radio = fw.aioble

    async def scenario() -> None:
        c1 = radio.connect(FakeConnection())
        assert await until(lambda: c1.mtu == 247)
        fw.control.remote_write(c1, b"\x01")
        assert await until(lambda: len(fw.data_to(c1)) >= 3)
        assert fw.answers_to(c1) == [bytes([0x80, 0x01, 0x00])]
        # the control task now waits for the next write; the link drops
        c1.drop()
        assert await until(lambda: radio.advertised == 2), "the board never advertised again after the link drop"
        # a write the old link left behind is neither answered on the new link nor starts its stream
        fw.control.remote_write(c1, b"\x01")
        c2 = radio.connect(FakeConnection())
        assert await until(lambda: c2.mtu == 247)
        await asyncio.sleep(0.2)
        assert fw.data_to(c2) == [] and fw.answers_to(c2) == []
        fw.control.remote_write(c2, b"\x01")
        assert await until(lambda: len(fw.data_to(c2)) >= 3)
        assert fw.answers_to(c2) == [bytes([0x80, 0x01, 0x00])]
        seq1 = [decode_imu_packet(d).seq for d in fw.data_to(c1)]
        seq2 = [decode_imu_packet(d).seq for d in fw.data_to(c2)]
        assert seq2[0] > seq1[-1]  # packets produced since power-on: the sequence is not reset by a reconnect

    run_with_main(fw, scenario)


@pytest.mark.parametrize("central_mtu", [None, 23], ids=["no_mtu_exchange", "mtu_23"])
def test_at_mtu_23_the_firmware_sends_acceleration_only_in_20_byte_packets(central_mtu: int | None) -> None:
    fw = Firmware()

    async def scenario() -> None:
        c = fw.aioble.connect(FakeConnection(central_mtu))
        assert await until(lambda: fw.aioble.advertised == 1)
        await asyncio.sleep(1.2)  # without an answer the firmware's MTU exchange times out after 1 s
        fw.control.remote_write(c, b"\x01")
        assert await until(lambda: len(fw.data_to(c)) >= 5)
        for data in fw.data_to(c):
            assert len(data) <= 23 - 3  # a longer notification is cut to 20 bytes and dropped by the reader
            packet = decode_imu_packet(data)
            assert packet.gyr_dps is None
            np.testing.assert_allclose(packet.acc_ms2, [[0.0, 0.0, 2048 * 488e-6 * GRAVITY_MS2]], rtol=1e-6)
        assert decode_imu_info(fw.info.read()).has_gyro is False  # the info says so too

    run_with_main(fw, scenario)


def test_at_mtu_247_packets_carry_the_gyroscope() -> None:
    fw = Firmware()

    async def scenario() -> None:
        c = fw.aioble.connect(FakeConnection(247))
        assert await until(lambda: c.mtu == 247)
        fw.control.remote_write(c, b"\x01")
        assert await until(lambda: len(fw.data_to(c)) >= 3)
        assert decode_imu_info(fw.info.read()).has_gyro is True
        for data in fw.data_to(c):
            assert len(data) <= 247 - 3
            packet = decode_imu_packet(data)
            assert packet.gyr_dps is not None
            np.testing.assert_allclose(packet.gyr_dps[:, 0], 100 * 0.061, rtol=1e-6)  # 61 mdps/LSB

    run_with_main(fw, scenario)


def test_t0_us_runs_on_across_the_wrap_of_ticks_us() -> None:
    fw = Firmware(FakeTime(offset_us=TICKS_PERIOD - 300_000))  # ticks_us wraps 0.3 s after power-on

    async def scenario() -> None:
        c = fw.aioble.connect(FakeConnection(247))
        assert await until(lambda: c.mtu == 247)
        fw.control.remote_write(c, b"\x01")
        assert await until(lambda: len(fw.data_to(c)) >= 14)

    run_with_main(fw, scenario)
    packets = [decode_imu_packet(d) for _c, d in fw.aioble.notified]
    steps_us = np.diff([p.t0_us for p in packets]) % 2**32
    # a packet every 50 ms or so; a step of minus 2**30 (ticks_us taken as the clock) would be about 3 * 2**30
    assert steps_us.min() > 0 and steps_us.max() < 300_000, steps_us


def test_the_32_bit_clock_wraps_at_2_32_us() -> None:
    clock = FakeTime(offset_us=TICKS_PERIOD - 1000, manual=True)
    fw = Firmware(clock)
    clock_us = fw.ns["clock_us"]
    start = clock_us()
    step_us = 5 * 60 * 1_000_000  # the firmware reads its clock every minute; 5 min is still under 2**29 us
    for k in range(1, 18):  # 85 min: ticks_us wraps four times, the 32-bit clock once
        clock.manual_us = k * step_us
        assert clock_us() == (start + k * step_us) % 2**32
