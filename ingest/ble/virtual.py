"""A virtual BLE radio on Google's Bumble: virtual sensors (GATT servers) replaying recordings, with faults.

Everything runs in-process on a Bumble ``LocalLink`` (virtual controllers, no radio, no BlueZ, no D-Bus). Our code
reaches the sensors through bleak's public API with the backend classes of :mod:`ingest.ble.backend`:

>>> radio = VirtualRadio()                                               # doctest: +SKIP
>>> await radio.add_sensor(VirtualSensor(recording, protocol="imu", name="GaitIMU"))   # doctest: +SKIP
>>> async with BleakClient(address, backend=radio.client_backend) as client: ...      # doctest: +SKIP

A sensor replays its recording from the moment it is powered on, in real time or ``speed`` times faster, whether or
not anyone listens (as a worn sensor keeps sampling while the link is down), and streams the samples due since the
last packet once a central has subscribed and started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from scipy import signal

from gait.types import Recording
from ingest.ble import protocols as p
from ingest.ble.errors import BleError

log = logging.getLogger(__name__)

SensorProtocol = Literal["imu", "pmd", "pmd_compressed", "rsc", "microbit"]
PROTOCOLS: tuple[str, ...] = ("imu", "pmd", "pmd_compressed", "rsc", "microbit")
CENTRAL_ADDRESS = "C0:00:00:00:00:01"
ADVERTISING_INTERVAL_MS = 50
"""Advertising interval of the virtual sensors (real sensors: 20 ms to 1 s); a connect completes on the next one."""
SERVER_MAX_MTU = 247
PMD_H10_RATES_HZ = (25, 50, 100, 200)
"""ACC sample rates a Polar H10 offers."""
PMD_SENSE_RATES_HZ = (52,)
"""ACC sample rates a Polar Verity Sense offers."""
PMD_COMPRESSED_FACTOR = 0.001
"""Factor a virtual Polar sensor's start response announces for its compressed frames (type 0: samples in g after
the factor, Polar BLE SDK): its deltas are in milli-g."""
"""ATT MTU the virtual sensors accept (what an nRF52 or ESP32 with data length extension offers)."""


@dataclass(frozen=True)
class SensorFaults:
    """Faults a virtual sensor injects.

    Attributes
    ----------
    drop_every
        Drop every n-th data packet (0: none); the sequence counter still advances, as when a packet is lost in air.
    drop_probability
        Drop each data packet with this probability (seeded by ``seed``).
    clock_drift_ppm
        The sensor's crystal runs this many ppm fast (negative: slow); its timestamps drift from the host clock.
    drop_link_after_s
        Drop the link once, this long after streaming started; the sensor comes back after ``link_down_s``.
    link_down_s
        How long the sensor stays silent (not advertising) after dropping the link.
    never_send
        Accept subscriptions and start commands but never send a data packet.
    vanish_on_connect
        Drop the link right after a central connects, before it can discover services, and never come back.
    seed
        Seed of the packet-drop lottery.
    """

    drop_every: int = 0
    drop_probability: float = 0.0
    clock_drift_ppm: float = 0.0
    drop_link_after_s: float | None = None
    link_down_s: float = 0.3
    never_send: bool = False
    vanish_on_connect: bool = False
    seed: int = 0


def _bumble() -> Any:
    """Import Bumble lazily: only the virtual radio needs it."""
    import bumble.controller
    import bumble.core
    import bumble.device
    import bumble.gatt
    import bumble.hci
    import bumble.host
    import bumble.link
    import bumble.transport.common

    return bumble


_QUIET: dict[str, type] = {}


def _quiet_classes() -> tuple[type, type]:
    """Bumble's Controller and Host without their per-packet debug lines.

    Bumble formats every HCI packet into a coloured debug string (an f-string, evaluated even when debug logging is
    off); that is most of the CPU of a busy virtual radio. These subclasses skip the formatting unless debug logging
    of ``bumble`` is on, and otherwise dispatch exactly as their bases (bumble 0.0.236).
    """
    if not _QUIET:
        b = _bumble()
        hci = b.hci
        logger = logging.getLogger("bumble")

        class QuietController(b.controller.Controller):  # type: ignore[misc, name-defined]
            def on_hci_packet(self, packet: Any) -> None:
                if logger.isEnabledFor(logging.DEBUG):
                    return super().on_hci_packet(packet)
                if isinstance(packet, hci.HCI_Command):
                    self.on_hci_command_packet(packet)
                elif isinstance(packet, hci.HCI_AclDataPacket):
                    self.on_hci_acl_data_packet(packet)
                elif isinstance(packet, hci.HCI_Event):
                    self.on_hci_event_packet(packet)
                else:
                    super().on_hci_packet(packet)
                return None

            def send_hci_packet(self, packet: Any) -> None:
                if logger.isEnabledFor(logging.DEBUG):
                    return super().send_hci_packet(packet)
                if self.host:
                    asyncio.get_running_loop().call_soon(self.host.on_packet, bytes(packet))
                return None

        class QuietHost(b.host.Host):  # type: ignore[misc, name-defined]
            def send_hci_packet(self, packet: Any) -> None:
                if logger.isEnabledFor(logging.DEBUG) or self.snooper:
                    return super().send_hci_packet(packet)
                if self.hci_sink:
                    self.hci_sink.on_packet(bytes(packet))
                return None

            def on_hci_packet(self, packet: Any) -> None:
                if logger.isEnabledFor(logging.DEBUG) or self.snooper:
                    return super().on_hci_packet(packet)
                if isinstance(packet, hci.HCI_Event):
                    self.on_hci_event_packet(packet)
                elif isinstance(packet, hci.HCI_AclDataPacket):
                    self.on_hci_acl_data_packet(packet)
                else:
                    super().on_hci_packet(packet)
                return None

        _QUIET["controller"], _QUIET["host"] = QuietController, QuietHost
    return _QUIET["controller"], _QUIET["host"]


def _make_device(link: Any, name: str, address: str, config: Any = None) -> Any:
    """A Bumble device with its own virtual controller on ``link``."""
    b = _bumble()
    controller_cls, host_cls = _quiet_classes()
    controller = controller_cls(name, link=link, public_address=address)
    host = host_cls(controller, b.transport.common.AsyncPipeSink(controller))
    device = b.device.Device(name=name, address=b.hci.Address(address), host=host, config=config)
    return device, controller


def bumble_uuid_to_str(uuid: Any) -> str:
    """A Bumble UUID in bleak's normalised string form."""
    raw = bytes(reversed(uuid.to_bytes(force_128=True)))
    h = raw.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class VirtualRadio:
    """An in-process Bluetooth LE world: one central (our adapter) and any number of virtual sensors.

    Parameters
    ----------
    central_mtu
        The ATT MTU the central asks for after connecting (operating systems do this on their own).
    """

    def __init__(self, *, central_mtu: int = SERVER_MAX_MTU) -> None:
        b = _bumble()
        # the simulated controllers log every in-flight packet of a closed link as a warning: noise for a user
        logging.getLogger("bumble").setLevel(logging.ERROR)
        self.link = b.link.LocalLink()
        self.central_mtu = central_mtu
        self.sensors: list[VirtualSensor] = []
        self._central: Any = None
        self._central_controller: Any = None
        self._scan_users = 0
        self._connect_lock: asyncio.Lock | None = None
        self._central_lock: asyncio.Lock | None = None
        self._scan_lock: asyncio.Lock | None = None
        self._next_address = 1

    # -- central ---------------------------------------------------------------------------------------------------
    async def central(self) -> Any:
        """The central Bumble device (powered on at first use; concurrent first calls share one)."""
        if self._central_lock is None:
            self._central_lock = asyncio.Lock()
        async with self._central_lock:
            return await self._power_on_central()

    async def _power_on_central(self) -> Any:
        if self._central is None:
            device, controller = _make_device(self.link, "gait-central", CENTRAL_ADDRESS)
            await device.power_on()
            self._central, self._central_controller = device, controller
        return self._central

    @property
    def connect_lock(self) -> asyncio.Lock:
        """Serialises connection attempts: a controller holds one pending LE connection at a time."""
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        return self._connect_lock

    def clear_pending_connection(self) -> None:
        """Forget a pending LE connection after a timeout.

        Bumble's virtual controller acknowledges LE Create Connection Cancel without completing it, so a connect to
        an absent device would block every later connect; a real controller completes the cancel.
        """
        if self._central_controller is not None:
            self._central_controller.pending_le_connection = None

    def _scanning_lock(self) -> asyncio.Lock:
        if self._scan_lock is None:
            self._scan_lock = asyncio.Lock()
        return self._scan_lock

    async def start_scanning(self) -> None:
        """Start scanning (reference counted: several scanners may share the central)."""
        central = await self.central()
        async with self._scanning_lock():
            self._scan_users += 1
            if self._scan_users == 1:
                await central.start_scanning(filter_duplicates=False, scan_interval=20, scan_window=20)

    async def stop_scanning(self) -> None:
        """Stop scanning once the last scanner stops."""
        async with self._scanning_lock():
            self._scan_users = max(0, self._scan_users - 1)
            if self._scan_users == 0 and self._central is not None:
                with contextlib.suppress(Exception):  # scanning may already be off after a power-off
                    await self._central.stop_scanning()

    # -- sensors ---------------------------------------------------------------------------------------------------
    def allocate_address(self) -> str:
        """A fresh static random address for a sensor."""
        n = self._next_address
        self._next_address += 1
        return f"D0:00:00:00:{n >> 8:02X}:{n & 0xFF:02X}"

    async def add_sensor(self, sensor: VirtualSensor) -> VirtualSensor:
        """Power a sensor on in this radio world; returns it."""
        await sensor.power_on(self)
        self.sensors.append(sensor)
        return sensor

    def sensor_at(self, address: str) -> VirtualSensor | None:
        """The sensor with this address, if any (used to report its configured RSSI)."""
        for s in self.sensors:
            if s.address.upper() == address.upper():
                return s
        return None

    @property
    def scanner_backend(self) -> type:
        """A bleak scanner backend class bound to this radio: ``BleakScanner(backend=radio.scanner_backend)``."""
        from ingest.ble.backend import bind_scanner

        return bind_scanner(self)

    @property
    def client_backend(self) -> type:
        """A bleak client backend class bound to this radio: ``BleakClient(addr, backend=radio.client_backend)``."""
        from ingest.ble.backend import bind_client

        return bind_client(self)

    async def close(self) -> None:
        """Power every sensor off and let their last radio commands complete."""
        for s in self.sensors:
            await s.power_off()
        pending = [t for s in self.sensors for t in s._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=2.0)


class VirtualSensor:
    """A virtual BLE sensor replaying a recording over one protocol.

    Parameters
    ----------
    recording
        Samples to replay (acceleration with gravity in m/s^2, optional gyroscope).
    protocol
        ``"imu"`` (our IMU stream), ``"pmd"`` (Polar raw 16-bit ACC frames), ``"pmd_compressed"`` (Polar delta
        frames), ``"rsc"`` (a foot pod's aggregates), ``"microbit"``.
    name
        Advertised local name (two sensors may share one: that is a fault to handle).
    address
        Static random address; allocated by the radio when None.
    speed
        Replay speed: 1.0 real time, 10.0 ten times faster (the sensor's clock runs faster too).
    faults
        Faults to inject.
    with_rsc
        Also offer the RSC service beside the IMU stream (a foot pod with raw data).
    loop
        Start the recording again at its end (the live demo); otherwise the sensor goes quiet and sets
        :attr:`finished`.
    rssi_dbm
        Signal strength reported to scanners.
    batch_s
        Longest time between two data packets (sensor time).
    pmd_rates_hz
        ACC sample rates a Polar sensor lists when asked (PMD op 0x01), the recording's own among them (it replays
        at that rate and refuses a start at another). Default: an H10's 25, 50, 100 and 200 Hz for a 100 Hz recording
        (a reader picks 100 Hz of them), else the recording's rate alone (a Verity Sense's accelerometer: 52 Hz).
    """

    def __init__(
        self,
        recording: Recording,
        *,
        protocol: SensorProtocol = "imu",
        name: str = "GaitIMU",
        address: str | None = None,
        speed: float = 1.0,
        faults: SensorFaults | None = None,
        with_rsc: bool = False,
        loop: bool = False,
        rssi_dbm: int = -60,
        batch_s: float = 0.05,
        pmd_rates_hz: tuple[int, ...] | None = None,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise BleError(
                f"unknown virtual protocol {protocol!r}: use one of {', '.join(PROTOCOLS)}", reason="bad_setting"
            )
        if not speed > 0:
            raise BleError(f"speed must be > 0, got {speed}", reason="bad_setting")
        self.recording = recording
        self.protocol = protocol
        self.name = name
        self.address = address or ""
        self.speed = float(speed)
        self.faults = faults or SensorFaults()
        self.with_rsc = with_rsc or protocol == "rsc"
        self.loop = loop
        self.rssi_dbm = rssi_dbm
        self.batch_s = batch_s
        time_s = np.asarray(recording.time_s, dtype=float)
        self.rate_hz = float(round(1.0 / np.median(np.diff(time_s)))) if len(time_s) > 1 else 100.0
        self.period_s = 1.0 / self.rate_hz
        period_us = round(self.period_s * 1e6 * (1.0 + self.faults.clock_drift_ppm * 1e-6))
        if protocol == "imu" and period_us > 0xFFFF:
            # the IMU stream's period field is a u16 of microseconds (firmware_notes/PROTOCOL.md): a firmware cannot
            # announce this rate, so neither can its virtual twin (it would send nothing)
            raise BleError(
                f"virtual sensor {name!r}: {self.rate_hz:g} Hz cannot be sent over the IMU stream protocol, whose "
                f"sample period field holds at most 65535 us ({1e6 / 0xFFFF:.1f} Hz); resample the recording",
                reason="bad_setting",
            )
        if pmd_rates_hz is None:
            pmd_rates_hz = PMD_H10_RATES_HZ if self.rate_hz == 100 else (round(self.rate_hz),)
        if protocol.startswith("pmd") and self.rate_hz not in pmd_rates_hz:
            raise BleError(
                f"virtual sensor {name!r}: its recording's {self.rate_hz:g} Hz is not among the rates it offers "
                f"({', '.join(map(str, pmd_rates_hz))} Hz); resample the recording",
                reason="bad_setting",
            )
        self.pmd_rates_hz = tuple(pmd_rates_hz)
        self.pmd_started_hz: int | None = None  # the rate the last PMD start asked for
        self.finished = asyncio.Event()
        self.packets_sent = 0
        self.packets_dropped = 0
        self.samples_notified = 0  # samples in notifications handed to the radio (not dropped by a fault)
        self.connections = 0  # connections it accepted, ever (a central that connects twice counts 2)
        self._device: Any = None
        self._radio: VirtualRadio | None = None
        self._t0_host: float | None = None
        self._stream_tasks: dict[Any, asyncio.Future[Any]] = {}
        self._rsc_task: asyncio.Future[Any] | None = None
        self._rng = random.Random(self.faults.seed)
        self._seq = 0
        self._link_dropped = False
        self._vanished = False
        self._chars: dict[str, Any] = {}
        self._rsc_profile: tuple[np.ndarray, ...] | None = None
        self._tasks: set[asyncio.Future[Any]] = set()

    @property
    def links_open(self) -> int:
        """Centrals connected to it now (:attr:`connections` counts every connection it ever accepted)."""
        return 0 if self._device is None else len(self._device.connections)

    def _spawn(self, coro: Any) -> asyncio.Future[Any]:
        """Run a background coroutine, keeping a reference (and cancelling it at power-off)."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- time ------------------------------------------------------------------------------------------------------
    def _now_index(self) -> int:
        """Index of the next sample not yet sampled by the sensor's (replayed) sensing."""
        loop = asyncio.get_running_loop()
        assert self._t0_host is not None
        return int((loop.time() - self._t0_host) * self.speed / self.period_s)

    def _sample(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        n = self.recording.n_samples
        if self.loop:
            idx = idx % n
        acc = np.asarray(self.recording.acc_ms2)[idx]
        gyr = None if self.recording.gyr_dps is None else np.asarray(self.recording.gyr_dps)[idx]
        return acc, gyr

    def _sensor_time_s(self, index: int) -> float:
        """Sensor clock at sample ``index`` (its crystal may drift)."""
        return index * self.period_s * (1.0 + self.faults.clock_drift_ppm * 1e-6)

    # -- power -----------------------------------------------------------------------------------------------------
    async def power_on(self, radio: VirtualRadio) -> None:
        """Create the Bumble device, its GATT services, and start advertising."""
        b = _bumble()
        self._radio = radio
        if not self.address:
            self.address = radio.allocate_address()
        config = b.device.DeviceConfiguration(name=self.name)
        device, _controller = _make_device(radio.link, self.name, self.address, config)
        device.gatt_server.max_mtu = SERVER_MAX_MTU
        for service in self._services(b):
            device.add_service(service)
        device.on("connection", self._on_connection)
        await device.power_on()
        self._device = device
        device.advertising_data = self._advertising_data(b)
        await self._advertise()

    async def _advertise(self) -> None:
        await self._device.start_advertising(
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
            auto_restart=False,
        )

    async def power_off(self) -> None:
        """Stop streaming and advertising, drop every link."""
        self._vanished = True  # no re-advertising from now on
        # only the streaming tasks are cancelled: they wait on sleeps and ACL data, never halfway through an HCI
        # command (control-point answers and advertising changes finish on their own)
        for task in [*self._stream_tasks.values(), self._rsc_task]:
            if task is not None:
                task.cancel()
        if self._device is not None:
            with contextlib.suppress(Exception):
                await self._device.stop_advertising()
            for conn in list(self._device.connections.values()):
                with contextlib.suppress(Exception):
                    await conn.disconnect()

    async def drop_links(self) -> None:
        """Drop every link now, as a sensor carried out of range for a moment does; it advertises again at once."""
        if self._device is not None:
            for conn in list(self._device.connections.values()):
                with contextlib.suppress(Exception):
                    await conn.disconnect()

    def _advertising_data(self, b: Any) -> bytes:
        ad = b.core.AdvertisingData
        fields: list[tuple[int, bytes]] = [(ad.FLAGS, bytes([0x06])), (ad.COMPLETE_LOCAL_NAME, self.name.encode())]
        uuids16 = []
        if self.with_rsc:
            uuids16.append(0x1814)
        if self.protocol.startswith("pmd"):
            uuids16.append(0x180D)  # a Polar strap advertises Heart Rate, not PMD
        if uuids16:
            fields.append(
                (ad.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, b"".join(u.to_bytes(2, "little") for u in uuids16))
            )
        if self.protocol == "imu":
            fields.append((ad.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, b.core.UUID(p.IMU_SERVICE_UUID).to_bytes()))
        data = bytes(ad(fields))
        if len(data) > 31:
            raise BleError(
                f"advertising data of {self.name!r} is {len(data)} bytes, over the 31 of legacy advertising: use a "
                "shorter name",
                reason="bad_setting",
            )
        return data

    # -- GATT ------------------------------------------------------------------------------------------------------
    def _services(self, b: Any) -> list[Any]:
        g = b.gatt
        props = g.Characteristic.Properties
        perm_r, perm_w = g.Characteristic.READABLE, g.Characteristic.WRITEABLE
        services = []
        if self.protocol == "imu":
            has_gyro = self.recording.gyr_dps is not None
            info = p.ImuInfo(p.IMU_PROTOCOL_VERSION, has_gyro, int(self.rate_hz), 16, 2000)
            data = g.Characteristic(p.IMU_DATA_UUID, props.NOTIFY, perm_r, b"")
            ctrl = g.Characteristic(
                p.IMU_CONTROL_POINT_UUID,
                props.WRITE | props.INDICATE,
                perm_r | perm_w,
                g.CharacteristicValue(write=self._on_imu_control),
            )
            inf = g.Characteristic(p.IMU_INFO_UUID, props.READ, perm_r, p.encode_imu_info(info))
            self._chars.update(data=data, ctrl=ctrl)
            services.append(g.Service(p.IMU_SERVICE_UUID, [data, ctrl, inf]))
        elif self.protocol.startswith("pmd"):
            data = g.Characteristic(p.PMD_DATA_UUID, props.NOTIFY, perm_r, b"")
            ctrl = g.Characteristic(
                p.PMD_CONTROL_POINT_UUID,
                props.READ | props.WRITE | props.INDICATE,
                perm_r | perm_w,
                g.CharacteristicValue(
                    read=lambda _c: bytes([0x0F, 1 << p.PMD_MEASUREMENT_ACC]), write=self._on_pmd_control
                ),
            )
            self._chars.update(data=data, ctrl=ctrl)
            services.append(g.Service(p.PMD_SERVICE_UUID, [ctrl, data]))
        elif self.protocol == "microbit":
            data = g.Characteristic(p.MICROBIT_ACC_DATA_UUID, props.READ | props.NOTIFY, perm_r, bytes(6))
            period = g.Characteristic(
                p.MICROBIT_ACC_PERIOD_UUID,
                props.READ | props.WRITE,
                perm_r | perm_w,
                g.CharacteristicValue(
                    read=lambda _c: round(1000 * self.period_s).to_bytes(2, "little"), write=lambda _c, _v: None
                ),
            )
            data.on("subscription", self._on_microbit_subscription)
            self._chars.update(data=data)
            services.append(g.Service(p.MICROBIT_ACC_SERVICE_UUID, [data, period]))
        if self.with_rsc:
            meas = g.Characteristic(p.RSC_MEASUREMENT_UUID, props.NOTIFY, perm_r, b"")
            feature = g.Characteristic(p.RSC_FEATURE_UUID, props.READ, perm_r, (0x0003).to_bytes(2, "little"))
            location = g.Characteristic(p.SENSOR_LOCATION_UUID, props.READ, perm_r, bytes([7]))  # 7 = in shoe
            meas.on("subscription", self._on_rsc_subscription)
            self._chars.update(rsc=meas)
            services.append(g.Service(p.RSC_SERVICE_UUID, [meas, feature, location]))
        return services

    def _on_connection(self, connection: Any) -> None:
        self.connections += 1
        connection.on("disconnection", lambda *_: self._on_disconnection(connection))
        if self.faults.vanish_on_connect:
            self._vanished = True
            asyncio.get_running_loop().call_later(0.005, lambda: self._spawn(self._vanish(connection)))

    async def _drop_link(self, connection: Any) -> None:
        with contextlib.suppress(Exception):
            await self._device.stop_advertising()
        with contextlib.suppress(Exception):
            await connection.disconnect()

    async def _vanish(self, connection: Any) -> None:
        with contextlib.suppress(Exception):
            await self._device.stop_advertising()
        with contextlib.suppress(Exception):
            await connection.disconnect()

    def _on_disconnection(self, connection: Any) -> None:
        task = self._stream_tasks.pop(connection, None)
        if task is not None:
            task.cancel()
        if self._rsc_task is not None and not self._device.connections:
            self._rsc_task.cancel()
            self._rsc_task = None
        if self._vanished:
            return
        delay = self.faults.link_down_s if self._link_dropped else 0.0
        asyncio.get_running_loop().call_later(delay, lambda: self._spawn(self._readvertise()))

    async def _readvertise(self) -> None:
        if self._vanished or self._device is None:
            return
        with contextlib.suppress(Exception):  # already advertising
            await self._advertise()

    # -- control points ----------------------------------------------------------------------------------------------
    def _respond(self, connection: Any, value: bytes) -> None:
        async def send() -> None:
            with contextlib.suppress(Exception):  # the central did not subscribe to indications, or left
                await self._device.indicate_subscriber(connection, self._chars["ctrl"], value)

        self._spawn(send())

    def _on_imu_control(self, connection: Any, value: bytes) -> None:
        op = value[0] if value else 0
        status = p.IMU_STATUS_OK
        if op == p.IMU_OP_START:
            self._start_stream(connection)
        elif op == p.IMU_OP_STOP:
            self._stop_stream(connection)
        elif op == p.IMU_OP_SET_RATE:
            # the replay has the recording's rate; other rates are refused (a firmware would reconfigure its IMU)
            status = (
                p.IMU_STATUS_OK
                if len(value) == 3 and int.from_bytes(value[1:3], "little") == self.rate_hz
                else p.IMU_STATUS_INVALID
            )
        elif op in (p.IMU_OP_SET_ACC_RANGE, p.IMU_OP_SET_GYRO_RANGE):
            status = p.IMU_STATUS_OK if len(value) == 3 else p.IMU_STATUS_INVALID
        else:
            status = p.IMU_STATUS_UNSUPPORTED
        self._respond(connection, bytes([p.IMU_RESPONSE, op, status]))

    def _on_pmd_control(self, connection: Any, value: bytes) -> None:
        op = value[0] if value else 0
        if op == p.PMD_OP_GET_SETTINGS and len(value) >= 2 and value[1] == p.PMD_MEASUREMENT_ACC:
            offered = {
                p.PMD_SETTING_SAMPLE_RATE: list(self.pmd_rates_hz),
                p.PMD_SETTING_RESOLUTION: [16],
                p.PMD_SETTING_RANGE: [2, 4, 8, 16],
                p.PMD_SETTING_CHANNELS: [3],
            }
            self._respond(
                connection, bytes([p.PMD_RESPONSE, op, value[1], 0, 0]) + p.encode_pmd_setting_values(offered)
            )
        elif op == p.PMD_OP_START and len(value) >= 2 and value[1] == p.PMD_MEASUREMENT_ACC:
            try:
                asked = p.decode_pmd_settings(value[2:])
            except BleError:
                asked = {}
            self.pmd_started_hz = asked.get(p.PMD_SETTING_SAMPLE_RATE)
            if self.pmd_started_hz != round(self.rate_hz):
                # a real sensor refuses a rate it does not offer; this one replays its recording at its own rate
                self._respond(connection, bytes([p.PMD_RESPONSE, op, value[1], p.PMD_ERROR_INVALID_SAMPLE_RATE, 0]))
                return
            self._start_stream(connection)
            params = b""
            if self.protocol == "pmd_compressed":
                factor = [p.pmd_factor_value(PMD_COMPRESSED_FACTOR)]
                params = p.encode_pmd_setting_values({p.PMD_SETTING_FACTOR: factor})
            self._respond(connection, bytes([p.PMD_RESPONSE, op, value[1], 0, 0]) + params)
        elif op == p.PMD_OP_STOP:
            self._stop_stream(connection)
            self._respond(connection, bytes([p.PMD_RESPONSE, op, value[1] if len(value) > 1 else 0, 0, 0]))
        else:
            # error code 1: invalid op code / measurement type not supported
            self._respond(connection, bytes([p.PMD_RESPONSE, op, value[1] if len(value) > 1 else 0, 1, 0]))

    def _on_microbit_subscription(self, connection: Any, notify: bool, indicate: bool) -> None:
        if notify or indicate:
            self._start_stream(connection)
        else:
            self._stop_stream(connection)

    def _on_rsc_subscription(self, connection: Any, notify: bool, indicate: bool) -> None:
        self._start_replay_clock()
        if (notify or indicate) and self._rsc_task is None:
            self._rsc_task = self._spawn(self._rsc_loop(connection))

    def _start_replay_clock(self) -> None:
        # the replay starts when a central first asks for data (so a test or demo sees the whole recording); from
        # then on the sensor "samples" continuously, link or no link, as a worn sensor does
        if self._t0_host is None:
            self._t0_host = asyncio.get_running_loop().time()

    def _start_stream(self, connection: Any) -> None:
        if connection in self._stream_tasks or self.faults.never_send:
            return
        self._stream_tasks[connection] = self._spawn(self._stream(connection))

    def _stop_stream(self, connection: Any) -> None:
        task = self._stream_tasks.pop(connection, None)
        if task is not None:
            task.cancel()

    # -- streaming ---------------------------------------------------------------------------------------------------
    def _max_samples(self, connection: Any) -> int:
        mtu = int(getattr(connection, "att_mtu", 23))
        if self.protocol == "imu":
            return p.imu_samples_per_packet(mtu, has_gyro=self.recording.gyr_dps is not None)
        if self.protocol == "pmd":
            return max(0, (mtu - 3 - 10) // 6)
        if self.protocol == "pmd_compressed":
            return 36  # Polar sends fixed-size delta frames; at MTU 23 they are cut (the pitfall to avoid)
        return 1

    def _encode(self, start: int, stop: int) -> bytes:
        idx = np.arange(start, stop)
        acc, gyr = self._sample(idx)
        if self.protocol == "imu":
            t0_us = round(self._sensor_time_s(start) * 1e6)
            period_us = round(self.period_s * 1e6 * (1.0 + self.faults.clock_drift_ppm * 1e-6))
            packet = p.encode_imu_packet(self._seq, t0_us, period_us, acc, gyr)
            self._seq = (self._seq + 1) % p.IMU_SEQ_MODULO
            return packet
        if self.protocol.startswith("pmd"):
            ts_ns = round(self._sensor_time_s(stop - 1) * 1e9) + 600_000_000_000_000_000  # 2019-01-06 or so
            return p.encode_pmd_acc_frame(acc / p.MG_TO_MS2, ts_ns, compressed=self.protocol == "pmd_compressed")
        return p.encode_microbit_acc(acc[0])

    async def _stream(self, connection: Any) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        # The clock starts here, not when the start command arrived: on a busy host this task can run tens of ms
        # later, and the samples "sensed" in between would never be sent (a test or demo sees the whole recording).
        self._start_replay_clock()
        next_index = self._now_index()
        n = self.recording.n_samples
        try:
            while True:
                if (
                    self.faults.drop_link_after_s is not None
                    and not self._link_dropped
                    and loop.time() - started >= self.faults.drop_link_after_s / self.speed
                ):
                    self._link_dropped = True
                    # in its own task: the disconnection cancels this stream task, and an HCI command must never be
                    # cancelled halfway (Bumble's host then fails on the late command-complete event)
                    self._spawn(self._drop_link(connection))
                    return
                due = self._now_index()
                if not self.loop:
                    due = min(due, n)
                per_packet = self._max_samples(connection)
                while next_index < due and per_packet > 0:
                    stop = min(due, next_index + per_packet)
                    packet = self._encode(next_index, stop)
                    n_in_packet = stop - next_index
                    next_index = stop
                    self.packets_sent += 1
                    if self._drop():
                        self.packets_dropped += 1
                        continue
                    await self._device.notify_subscriber(connection, self._chars["data"], packet)
                    self.samples_notified += n_in_packet
                if not self.loop and next_index >= n:
                    self.finished.set()
                    return
                wait = self.period_s if self.protocol == "microbit" else self.batch_s
                await asyncio.sleep(wait / self.speed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("virtual sensor %s stopped streaming: %s", self.name, exc)

    def _drop(self) -> bool:
        f = self.faults
        if f.drop_every and self.packets_sent % f.drop_every == 0:
            return True
        return f.drop_probability > 0 and self._rng.random() < f.drop_probability

    # -- RSC -------------------------------------------------------------------------------------------------------
    def rsc_profile(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per stride of the recording: end time, cadence (spm), stride length (m), speed (m/s), from the core."""
        if self._rsc_profile is None:
            from gait.analysis import analyze

            strides = analyze(self.recording, placement=self.recording.placement).strides
            t0 = float(self.recording.time_s[0])
            rows = [
                (s.end_s - t0, s.cadence_spm, s.length_m or math.nan, s.speed_mps or math.nan) for s in strides
            ] or [(0.0, 0.0, math.nan, 0.0)]
            self._rsc_profile = tuple(np.array(c, dtype=float) for c in zip(*rows, strict=True))
        return self._rsc_profile  # type: ignore[return-value]

    def rsc_at(self, t_s: float) -> p.RscMeasurement:
        """The RSC measurement the pod reports at recording time ``t_s`` (the last stride ended by then)."""
        end_s, cadence, length, speed = self.rsc_profile()
        if self.loop:
            t_s %= max(self.recording.duration_s, 1e-9)
        k = int(np.searchsorted(end_s, t_s, side="right")) - 1
        # the odometer counts every stride ended by now, standing or not: a pod's total never steps back
        total_m = float(np.nansum(length[: k + 1]))
        if k < 0 or t_s - end_s[k] > 2.0:  # standing
            return p.RscMeasurement(0.0, 0.0, None, total_m)
        stride = None if math.isnan(length[k]) else float(length[k])
        return p.RscMeasurement(
            speed_mps=0.0 if math.isnan(speed[k]) else float(speed[k]),
            cadence_spm=float(cadence[k]),
            stride_length_m=stride,
            total_distance_m=total_m,
        )

    async def _rsc_loop(self, connection: Any) -> None:
        try:
            while True:
                assert self._t0_host is not None
                t_s = (asyncio.get_running_loop().time() - self._t0_host) * self.speed
                if not self.loop and t_s > self.recording.duration_s:
                    self.finished.set()
                    return
                await self._device.notify_subscriber(
                    connection, self._chars["rsc"], p.encode_rsc_measurement(self.rsc_at(t_s))
                )
                await asyncio.sleep(1.0 / self.speed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("virtual pod %s stopped: %s", self.name, exc)


DEMO_SENSOR_NAMES = {
    "imu": "GaitDemo",
    "pmd": "Polar H10 DEMO",
    "pmd_compressed": "Polar Sense DEMO",
    "rsc": "FootPod demo",
    "microbit": "BBC micro:bit",
}


DEMO_SENSOR_RATES_HZ: dict[str, tuple[int, ...]] = {"pmd": PMD_H10_RATES_HZ, "pmd_compressed": PMD_SENSE_RATES_HZ}
"""ACC rates of the demo Polar sensors: the H10's, and the Verity Sense's 52 Hz alone (its recording is resampled
to it when it is at none of them)."""


def resampled(recording: Recording, rate_hz: float) -> Recording:
    """``recording`` sampled at ``rate_hz``: its times spaced ``1 / rate_hz`` from its first, its axes low-passed and
    resampled by a polyphase filter (scipy's ``resample_poly``, no aliasing when the rate goes down).

    Parameters
    ----------
    recording
        Samples at a steady rate (its median interval is the rate), more than one.
    rate_hz
        The new rate.

    Returns
    -------
    Recording
        The same walk (placement, heights, source) at ``rate_hz``.
    """
    time_s = np.asarray(recording.time_s, dtype=float)
    rate_in_hz = 1.0 / float(np.median(np.diff(time_s)))
    # resample_poly takes evenly spaced samples: the recording on its own rate's grid first
    grid_s = time_s[0] + np.arange(math.floor((time_s[-1] - time_s[0]) * rate_in_hz + 1e-9) + 1) / rate_in_hz
    ratio = Fraction(rate_hz / rate_in_hz).limit_denominator(1000)

    def axes(values: np.ndarray | None) -> np.ndarray | None:
        if values is None:
            return None
        values = np.asarray(values, dtype=float)
        even = np.column_stack([np.interp(grid_s, time_s, values[:, k]) for k in range(values.shape[1])])
        # padded along a line, not with zeros: gravity in the acceleration would ring at both ends
        return signal.resample_poly(even, ratio.numerator, ratio.denominator, axis=0, padtype="line")

    acc_ms2 = axes(recording.acc_ms2)
    assert acc_ms2 is not None
    new_time_s = time_s[0] + np.arange(len(acc_ms2)) / rate_hz
    return replace(recording, time_s=new_time_s, acc_ms2=acc_ms2, gyr_dps=axes(recording.gyr_dps))


def demo_sensor(recording: Recording, protocol: SensorProtocol, **options: Any) -> VirtualSensor:
    """The demo sensor of ``protocol`` (named as in :data:`DEMO_SENSOR_NAMES`) replaying ``recording``; a Polar
    demo offers its model's rates (:data:`DEMO_SENSOR_RATES_HZ`), the recording resampled to the nearest of them
    when it is at none (the Verity Sense's 52 Hz)."""
    rates_hz = DEMO_SENSOR_RATES_HZ.get(protocol)
    if rates_hz is not None and len(recording.time_s) > 1:
        rate_hz = round(1.0 / float(np.median(np.diff(np.asarray(recording.time_s, dtype=float)))))
        if rate_hz not in rates_hz:
            recording = resampled(recording, min(rates_hz, key=lambda offered: abs(offered - rate_hz)))
    return VirtualSensor(
        recording, protocol=protocol, name=DEMO_SENSOR_NAMES[protocol], pmd_rates_hz=rates_hz, **options
    )


async def start_demo_radio(
    recording: Recording, *, protocol: SensorProtocol = "imu", speed: float = 1.0, loop: bool = True
) -> tuple[VirtualRadio, VirtualSensor]:
    """A virtual radio with one sensor replaying ``recording`` (the ``--demo`` of ``gait live`` and ``gait scan``)."""
    radio = VirtualRadio()
    sensor = demo_sensor(recording, protocol, speed=speed, loop=loop)
    await radio.add_sensor(sensor)
    return radio, sensor


async def demo_radio(recording: Recording, *, speed: float = 1.0, loop: bool = True) -> VirtualRadio:
    """A virtual radio with one demo sensor per protocol replaying ``recording``, strongest signal first.

    Used by ``gait scan --demo`` and the service's virtual-Bluetooth testing aid.
    """
    radio = VirtualRadio()
    for i, protocol in enumerate(PROTOCOLS):
        await radio.add_sensor(demo_sensor(recording, protocol, speed=speed, loop=loop, rssi_dbm=-45 - 8 * i))
    return radio
