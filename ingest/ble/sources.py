"""BLE sensor sources on bleak: scan, connect, subscribe, decode, reconnect; async iterators of chunks.

bleak idioms throughout: async context managers; notification callback -> ``asyncio.Queue`` -> async iterator,
unregistered in ``finally``; arrival stamped with ``time.monotonic_ns()`` in a plain (non-async) callback; decoding
is pure (:mod:`ingest.ble.protocols`, :mod:`ingest.ble.streams`). Every wait has a timeout.

The same code talks to real hardware (bleak's platform backend, the default) and to the virtual radio
(``scanner_backend=radio.scanner_backend, client_backend=radio.client_backend``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from ingest.ble import protocols as p
from ingest.ble.clock import ClockMapper
from ingest.ble.errors import BleError
from ingest.ble.streams import Gap, ImuStreamDecoder, MicrobitDecoder, PmdAccDecoder

log = logging.getLogger(__name__)

RAW_PROTOCOLS = ("imu", "pmd", "microbit")
"""Protocols that stream raw samples, in order of preference (sequence counters first)."""
PROTOCOL_SERVICES = {
    "imu": p.IMU_SERVICE_UUID,
    "pmd": p.PMD_SERVICE_UUID,
    "microbit": p.MICROBIT_ACC_SERVICE_UUID,
    "rsc": p.RSC_SERVICE_UUID,
}
_LINK_LOST = object()


@dataclass(frozen=True)
class SensorInfo:
    """A sensor seen while scanning.

    Attributes
    ----------
    address
        Bluetooth address (a UUID on macOS).
    name
        Advertised name, or None.
    rssi_dbm
        Signal strength of the latest advertisement.
    protocols
        What it supports, from its advertised services and name: ``"imu"``, ``"pmd"``, ``"microbit"``, ``"rsc"``.
    device
        bleak's ``BLEDevice`` handle, to connect without scanning again.
    """

    address: str
    name: str | None
    rssi_dbm: int
    protocols: tuple[str, ...]
    device: Any = None

    @property
    def supports(self) -> str:
        """Human-readable list of what the sensor offers."""
        labels = [p.SERVICE_LABELS[PROTOCOL_SERVICES[k]] for k in self.protocols]
        return "; ".join(labels) if labels else "no gait service advertised"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "address": self.address,
            "name": self.name,
            "rssi_dbm": self.rssi_dbm,
            "protocols": list(self.protocols),
        }


_ADDRESS = re.compile(r"([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
"""A Bluetooth address, or the UUID macOS shows instead."""


def _no_adapter(exc: BaseException) -> BleError:
    """No adapter, Bluetooth off, or (Linux) no BlueZ on the system D-Bus, in words (bleak's own message where it
    gives one; an OSError from the D-Bus socket means the system's Bluetooth service cannot be reached). What works
    without hardware is for the caller to add: the command line and the dashboard word it differently."""
    if isinstance(exc, BleakError) and str(exc).strip():
        cause = str(exc).strip().rstrip(".")
    elif isinstance(exc, OSError):
        cause = "the system's Bluetooth service cannot be reached"
    else:
        cause = "no usable Bluetooth adapter"
    log.info("Bluetooth scan failed (%s): %r", cause, exc)  # the cause in words, then the detail for whoever reads on
    return BleError(
        f"cannot scan for Bluetooth LE devices: {cause}; check that this computer has Bluetooth, that it is "
        "switched on, and (Linux) that the bluetooth service runs",
        reason="no_adapter",
    )


def protocols_from_advertisement(name: str | None, service_uuids: list[str]) -> tuple[str, ...]:
    """Guess what a sensor supports from its advertisement (Polar straps and micro:bits do not advertise the
    services we use, so their names count too)."""
    uuids = {u.lower() for u in service_uuids}
    found = [k for k, uuid in PROTOCOL_SERVICES.items() if uuid in uuids]
    lowered = (name or "").lower()
    if "pmd" not in found and lowered.startswith("polar"):
        found.append("pmd")
    if "microbit" not in found and "micro:bit" in lowered:
        found.append("microbit")
    return tuple(k for k in (*RAW_PROTOCOLS, "rsc") if k in found)


async def scan(*, timeout_s: float = 5.0, backend: type | None = None, all_devices: bool = False) -> list[SensorInfo]:
    """Scan for ``timeout_s`` seconds; return the sensors seen, strongest signal first.

    Parameters
    ----------
    timeout_s
        How long to listen.
    backend
        bleak scanner backend (None: the platform's).
    all_devices
        Also list devices that advertise nothing we can read.
    """
    try:
        found = await BleakScanner.discover(
            timeout=timeout_s, return_adv=True, **({"backend": backend} if backend else {})
        )
    except (BleakError, OSError) as exc:
        raise _no_adapter(exc) from None
    sensors = []
    for address, (device, adv) in found.items():
        protocols = protocols_from_advertisement(adv.local_name or device.name, adv.service_uuids)
        if protocols or all_devices:
            sensors.append(SensorInfo(address, adv.local_name or device.name, adv.rssi, protocols, device))
    return sorted(sensors, key=lambda s: -s.rssi_dbm)


async def find_sensor(target: str, *, timeout_s: float = 5.0, backend: type | None = None) -> SensorInfo:
    """Find one sensor by address or advertised name.

    Raises
    ------
    BleError
        ``"not_found"`` when nothing matches within ``timeout_s``; ``"ambiguous_name"`` when two devices share the
        name (the message lists their addresses).
    """
    wanted = target.strip()
    if _ADDRESS.fullmatch(wanted):
        # an address is unique: stop scanning as soon as it is seen, keeping its advertisement (what it offers, as a
        # scan lists it: a sensor picked from the scan list is the same sensor when looked up by its address)
        kwargs: dict[str, Any] = {"backend": backend} if backend else {}
        seen: list[AdvertisementData] = []

        def is_wanted(device: BLEDevice, adv: AdvertisementData) -> bool:
            if device.address.lower() != wanted.lower():
                return False
            seen.append(adv)
            return True

        try:
            device = await BleakScanner.find_device_by_filter(is_wanted, timeout=timeout_s, **kwargs)
        except (BleakError, OSError) as exc:
            raise _no_adapter(exc) from None
        if device is not None and seen:
            name = seen[-1].local_name or device.name
            protocols = protocols_from_advertisement(name, seen[-1].service_uuids)
            return SensorInfo(device.address, name, seen[-1].rssi, protocols, device)
    sensors = await scan(timeout_s=timeout_s, backend=backend, all_devices=True)
    by_address = [s for s in sensors if s.address.lower() == wanted.lower()]
    if by_address:
        return by_address[0]
    by_name = [s for s in sensors if s.name == wanted] or [
        s for s in sensors if s.name and s.name.lower() == wanted.lower()
    ]
    if len(by_name) > 1:
        listing = ", ".join(f"{s.address} ({s.rssi_dbm} dBm)" for s in by_name)
        raise BleError(
            f"{len(by_name)} sensors are called {wanted!r}: {listing}; pass the address of the one you wear instead",
            reason="ambiguous_name",
        )
    if not by_name:
        seen = ", ".join(f"{s.name or '?'} [{s.address}]" for s in sensors if s.protocols) or "none"
        raise BleError(
            f"no sensor {wanted!r} found in {timeout_s:g} s of scanning (gait sensors seen: {seen}); switch it on, "
            "bring it closer, and check that no other app is connected to it",
            reason="not_found",
        )
    return by_name[0]


def offered_protocols(client: BleakClient) -> tuple[str, ...]:
    """What a connected sensor's GATT server offers (its services, known once connected: advertisements may leave
    some out, and Polar straps and micro:bits advertise none we use)."""
    return tuple(k for k, uuid in PROTOCOL_SERVICES.items() if client.services.get_service(uuid) is not None)


async def _disconnect(client: BleakClient, timeout_s: float = 5.0) -> None:
    """Disconnect ``client``; a link already gone, or a stack that does not answer within ``timeout_s``, is no
    error (the sensor is released either way)."""
    with contextlib.suppress(BleakError, TimeoutError, OSError, EOFError):
        async with asyncio.timeout(timeout_s):
            await client.disconnect()


def link_error_words(exc: BaseException) -> str:
    """Why a connection attempt or a link failed, in plain words (a bare timeout or end of stream has no message;
    its class name means nothing to a walker).

    Examples
    --------
    >>> link_error_words(TimeoutError())
    'the sensor did not answer'
    >>> link_error_words(BleakError("Device disconnected"))
    'Device disconnected'
    """
    if isinstance(exc, TimeoutError):
        return "the sensor did not answer"
    if isinstance(exc, EOFError):
        return "the connection closed"
    return str(exc).strip() or "the Bluetooth stack gave no reason"


def choose_protocol(offered: tuple[str, ...] | list[str], wanted: str | None, *, sensor: str) -> str:
    """The protocol a sensor offering ``offered`` is streamed with: ``wanted`` when given, else the best raw one
    (:data:`RAW_PROTOCOLS` order), else RSC.

    Raises
    ------
    BleError
        ``"unsupported_sensor"`` when ``wanted`` is not offered, or nothing we read is.
    """
    if wanted is not None:
        if wanted not in offered:
            raise BleError(
                f"{sensor} does not offer the {wanted} service (it offers: {', '.join(offered) or 'nothing we read'})",
                reason="unsupported_sensor",
            )
        return wanted
    raw = [k for k in RAW_PROTOCOLS if k in offered]
    if raw:
        return raw[0]
    if "rsc" in offered:
        return "rsc"
    raise BleError(
        f"{sensor} offers no service we can read (IMU stream, Polar PMD, micro:bit accelerometer, RSC); see "
        "firmware_notes/PROTOCOL.md",
        reason="unsupported_sensor",
    )


class BleSensorSource:
    """A BLE sensor as an async iterable of :class:`~gait.types.Chunk` (and RSC measurements), with reconnects.

    Iterating connects, picks the protocol from the sensor's services (or uses ``protocol``), subscribes, sends the
    start command, and yields chunks with host-mapped sample times. When the link drops it reconnects with
    exponential backoff, re-subscribes, re-sends the start command, counts the lost packets and reports the gap,
    until ``reconnect_window_s`` passes without success.

    A caller that must know the sensor's services before it streams reads them with ``read_protocols(keep=True)``:
    the connection stays open and the stream's first session uses it, so a started walk connects once (a sensor
    is often not connectable for a moment after a disconnect). A kept connection no stream takes over is closed by
    :meth:`aclose`.

    Parameters
    ----------
    target
        Address or advertised name (resolved by scanning), or a ``BLEDevice``.
    protocol
        ``"imu"``, ``"pmd"``, ``"microbit"`` or ``"rsc"``; None picks the best the sensor offers.
    scanner_backend, client_backend
        bleak backends (None: the platform's; the virtual radio's for tests and the demo).
    scan_timeout_s, connect_timeout_s
        Time to find the sensor and to connect to it.
    first_data_timeout_s
        A started sensor that sends nothing for this long is an error (``reason="no_data"``).
    stall_timeout_s
        Silence for this long once streaming is treated as a lost link.
    reconnect_window_s
        Give up (``reason="link_lost"``) when reconnecting fails for this long.
    backoff_s
        First and longest wait between reconnect attempts.
    clock_sync
        Map sensor time to the host clock with drift fitting (True, for real sensors); False keeps the sensor's
        own time after the first packet (virtual sensors replaying faster than real time).
    sample_rate_hz
        Rate requested from sensors that take one (Polar).
    rsc_beside
        Also read a foot pod's RSC aggregates when the sensor offers them beside raw data.
    """

    def __init__(
        self,
        target: str | BLEDevice,
        *,
        protocol: str | None = None,
        scanner_backend: type | None = None,
        client_backend: type | None = None,
        scan_timeout_s: float = 5.0,
        connect_timeout_s: float = 10.0,
        first_data_timeout_s: float = 5.0,
        stall_timeout_s: float = 3.0,
        reconnect_window_s: float = 60.0,
        backoff_s: tuple[float, float] = (0.25, 8.0),
        clock_sync: bool = True,
        sample_rate_hz: int = 100,
        rsc_beside: bool = True,
    ) -> None:
        if protocol is not None and protocol not in PROTOCOL_SERVICES:
            raise BleError(
                f"unknown protocol {protocol!r}: use one of {', '.join(PROTOCOL_SERVICES)}", reason="bad_setting"
            )
        self.target = target
        self.protocol = protocol
        self.scanner_backend = scanner_backend
        self.client_backend = client_backend
        self.scan_timeout_s = scan_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.first_data_timeout_s = first_data_timeout_s
        self.stall_timeout_s = stall_timeout_s
        self.reconnect_window_s = reconnect_window_s
        self.backoff_s = backoff_s
        self.clock_sync = clock_sync
        self.sample_rate_hz = sample_rate_hz
        self.rsc_beside = rsc_beside
        self.phase = "connecting"
        self.address: str | None = None
        self.name: str | None = None
        self.mtu: int | None = None
        self.reconnects = 0
        self.bad_packets = 0
        self._end_reason = "the link dropped"
        self._decoder: ImuStreamDecoder | PmdAccDecoder | MicrobitDecoder | None = None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []
        self._device: BLEDevice | str | None = None
        self._kept: BleakClient | None = None
        self._imu_info: p.ImuInfo | None = None
        # bleak takes a client's disconnected callback when the client is made, before any session exists: every
        # client reports to this source, which tells the session that owns that client (its queue) and nobody else
        self._link: tuple[BleakClient, asyncio.Queue[Any]] | None = None

    # -- listeners (LiveSession subscribes here for state and gap messages) -----------------------------------------
    def add_listener(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        """Call ``callback(message)`` on state changes and gaps; returns a function that removes it."""
        self._listeners.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return remove

    @property
    def lost_packets(self) -> int:
        """Packets lost so far (sequence counter or estimate), including malformed ones."""
        return (self._decoder.lost_packets if self._decoder else 0) + self.bad_packets

    def describe(self) -> dict[str, Any]:
        """What is connected, for journals and status lines."""
        return {"address": self.address, "name": self.name, "protocol": self.protocol, "mtu": self.mtu}

    def _notify(self, msg: dict[str, Any]) -> None:
        for cb in list(self._listeners):
            cb(msg)

    def _set_phase(self, phase: str, detail: str | None = None) -> None:
        self.phase = phase
        self._notify({"type": "state", "phase": phase, "lost_packets": self.lost_packets, "detail": detail})

    # -- iteration ---------------------------------------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[Any]:
        return self._stream()

    async def _resolve(self) -> BLEDevice | str:
        # resolved once: a connected sensor stops advertising, so a second lookup by name would not find it
        if self._device is not None:
            return self._device
        if isinstance(self.target, BLEDevice):
            self.address, self.name = self.target.address, self.target.name
            self._device = self.target
        else:
            info = await find_sensor(self.target, timeout_s=self.scan_timeout_s, backend=self.scanner_backend)
            self.address, self.name = info.address, info.name
            self._device = info.device or info.address
        return self._device

    def _client(self, device: BLEDevice | str) -> BleakClient:
        kwargs: dict[str, Any] = {"backend": self.client_backend} if self.client_backend else {}
        return BleakClient(device, disconnected_callback=self._on_disconnect, timeout=self.connect_timeout_s, **kwargs)

    def _on_disconnect(self, client: BleakClient) -> None:
        # a late callback of an earlier client (or of a kept one no session owns yet) concerns no running session
        if self._link is not None and self._link[0] is client:
            self._link[1].put_nowait(_LINK_LOST)

    async def read_protocols(self, *, keep: bool = False) -> tuple[str, ...]:
        """Connect, read what the sensor's GATT server offers (:func:`offered_protocols`); disconnect unless ``keep``.

        What a sensor advertises may leave services out; its GATT services are what it streams. A caller that must
        know the protocol before streaming (to say how the walk is coached) reads them here, then pins the one
        :func:`choose_protocol` picks (``source.protocol = chosen``).

        Parameters
        ----------
        keep
            Keep the connection for this source's stream: its first session subscribes on it instead of connecting
            again. Whoever keeps it and then does not stream must call :meth:`aclose`.

        Raises
        ------
        BleError
            ``"connect_failed"`` when the sensor cannot be connected to (with what to do); the lookup's errors.
        """
        device = await self._resolve()
        if self._kept is not None and self._kept.is_connected:
            client = self._kept
        else:
            await self.aclose()
            client = self._client(device)
            try:
                await client.connect()
            except (BleakError, TimeoutError, OSError, EOFError) as exc:
                raise BleError(
                    f"found {self.name or self.address} but could not connect to it "
                    f"({link_error_words(exc)}); check that no other app is connected to it, bring it "
                    "closer and try again",
                    reason="connect_failed",
                ) from None
        offered = offered_protocols(client)
        if keep:
            self._kept = client
        else:
            self._kept = None
            await _disconnect(client)
        return offered

    async def aclose(self) -> None:
        """Disconnect the connection kept by ``read_protocols(keep=True)`` when no stream has taken it over (a walk
        that was not started after all); nothing else changes, and the source can still be iterated."""
        client, self._kept = self._kept, None
        if client is not None:
            await _disconnect(client)

    @contextlib.asynccontextmanager
    async def _connection(self, device: BLEDevice | str, queue: asyncio.Queue[Any]) -> AsyncIterator[BleakClient]:
        """A connected client for one session, its link losses put on ``queue``: the kept one while it is still up,
        else a new connection; disconnected when the session ends."""
        client, self._kept = self._kept, None
        if client is None or not client.is_connected:
            client = self._client(device)
            await client.connect()
        self._link = (client, queue)
        try:
            yield client
        finally:
            self._link = None
            await _disconnect(client)

    async def _stream(self) -> AsyncIterator[Any]:
        self._set_phase("connecting", f"looking for {self.target}")
        device = await self._resolve()
        t0_ns = time.monotonic_ns()
        backoff = self.backoff_s[0]
        lost_since: float | None = None
        ever_streamed = False
        last_error: str | None = None
        while True:
            queue: asyncio.Queue[Any] = asyncio.Queue()
            try:
                async with contextlib.aclosing(self._session(device, queue, t0_ns, ever_streamed)) as items:
                    async for item in items:
                        if not ever_streamed or lost_since is not None:
                            ever_streamed = True
                            lost_since = None
                            backoff = self.backoff_s[0]
                            self._set_phase("streaming")
                        yield item
                last_error = self._end_reason
            except BleError:
                raise
            except (BleakError, TimeoutError, OSError, EOFError) as exc:
                last_error = link_error_words(exc)
                log.info("BLE link to %s: %r", self.address, exc)
            now = time.monotonic()
            lost_since = lost_since if lost_since is not None else now
            if now - lost_since > self.reconnect_window_s or (not ever_streamed and self.reconnects >= 2):
                if not ever_streamed:
                    raise BleError(
                        f"found {self.name or self.address} but could not set it up ({last_error}); it may have "
                        "switched off or walked out of range: check it and try again",
                        reason="connect_failed",
                    )
                # where the samples so far are kept is for the front end to say (a journal file, a stored walk)
                raise BleError(
                    f"lost {self.name or self.address} and could not reconnect for {self.reconnect_window_s:g} s "
                    f"({last_error})",
                    reason="link_lost",
                )
            self.reconnects += 1
            if self._decoder is not None:
                self._decoder.new_segment()
            self._set_phase("reconnecting", last_error)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.backoff_s[1])

    async def _session(
        self, device: BLEDevice | str, queue: asyncio.Queue[Any], t0_ns: int, ever_streamed: bool
    ) -> AsyncIterator[Any]:
        """One connection: set up, then yield decoded items until the link drops or goes silent."""

        async with self._connection(device, queue) as client:
            self.mtu = client.mtu_size
            protocol, with_rsc = self._choose_protocol(client)
            subscribed: list[str] = []
            responses: asyncio.Queue[bytes] = asyncio.Queue()
            try:
                await self._start(client, protocol, with_rsc, queue, responses, subscribed, t0_ns)
                loop = asyncio.get_running_loop()
                timeout = self.stall_timeout_s if ever_streamed else self.first_data_timeout_s
                deadline = loop.time() + timeout  # reset by decodable data only: garbage does not keep a link alive
                first = True
                bad_before = self.bad_packets
                while True:
                    try:
                        item = await asyncio.wait_for(queue.get(), max(0.0, deadline - loop.time()))
                    except TimeoutError:
                        if self.bad_packets > bad_before:
                            raise BleError(
                                f"{self.name or self.address} sends {protocol} packets that cannot be decoded "
                                f"({self.bad_packets - bad_before} in {timeout:g} s, ATT MTU {self.mtu}); "
                                "notifications longer than MTU - 3 are cut: the sensor must fit its packets to the "
                                "negotiated MTU",
                                reason="malformed_packet",
                            ) from None
                        if first and not ever_streamed:
                            raise BleError(self._no_data_words(protocol, timeout), reason="no_data") from None
                        self._end_reason = f"the sensor was silent for {timeout:g} s"
                        return  # reconnect
                    if item is _LINK_LOST:
                        self._end_reason = "the link dropped"
                        return
                    out = self._decode(item)
                    if out is None:
                        continue
                    first = False
                    timeout = self.stall_timeout_s
                    deadline = loop.time() + timeout
                    bad_before = self.bad_packets
                    yield out
            finally:
                if client.is_connected:
                    for uuid in subscribed:
                        with contextlib.suppress(BleakError, TimeoutError, OSError):
                            async with asyncio.timeout(2.0):
                                await client.stop_notify(uuid)

    def _no_data_words(self, protocol: str, timeout_s: float) -> str:
        """Why a started sensor sent nothing: an MTU too small for one sample of the layout its IMU info announces
        (a firmware following PROTOCOL.md then sends nothing) before the usual causes."""
        sensor = self.name or self.address
        info = self._imu_info
        fits = info is None or self.mtu is None or p.imu_samples_per_packet(self.mtu, has_gyro=info.has_gyro) > 0
        if protocol == "imu" and not fits:
            assert info is not None and self.mtu is not None
            layout = "accelerometer and gyroscope" if info.has_gyro else "accelerometer"
            needed = p.IMU_HEADER.size + (12 if info.has_gyro else 6)
            return (
                f"connected to {sensor} (imu) but it sent no data in {timeout_s:g} s: the ATT MTU negotiated is "
                f"{self.mtu}, so a notification holds {self.mtu - 3} bytes, less than one {layout} packet "
                f"({needed} bytes); the sensor's firmware must ask for a larger MTU (firmware_notes/PROTOCOL.md)"
            )
        return (
            f"connected to {sensor} ({protocol}) but it sent no data in {timeout_s:g} s; check that it is worn, "
            "charged, and not streaming to another app"
        )

    def _choose_protocol(self, client: BleakClient) -> tuple[str, bool]:
        offered = offered_protocols(client)
        chosen = choose_protocol(offered, self.protocol, sensor=self.name or self.address or "the sensor")
        self.protocol = chosen
        return chosen, self.rsc_beside and chosen != "rsc" and "rsc" in offered

    async def _start(
        self,
        client: BleakClient,
        protocol: str,
        with_rsc: bool,
        queue: asyncio.Queue[Any],
        responses: asyncio.Queue[bytes],
        subscribed: list[str],
        t0_ns: int,
    ) -> None:
        def on_data(_char: Any, data: bytearray) -> None:
            queue.put_nowait((time.monotonic_ns(), "data", bytes(data)))

        def on_rsc(_char: Any, data: bytearray) -> None:
            queue.put_nowait((time.monotonic_ns(), "rsc", bytes(data)))

        def on_response(_char: Any, data: bytearray) -> None:
            responses.put_nowait(bytes(data))

        async def command(uuid: str, payload: bytes, check: Callable[[bytes, int], None]) -> bytes:
            await client.write_gatt_char(uuid, payload, response=True)
            try:
                async with asyncio.timeout(3.0):
                    response = await responses.get()
            except TimeoutError:
                raise BleError(
                    f"{self.name or self.address} did not answer the start command within 3 s", reason="command_failed"
                ) from None
            check(response, payload[0])
            return response

        async def subscribe(uuid: str, cb: Callable[[Any, bytearray], None]) -> None:
            await client.start_notify(uuid, cb)
            subscribed.append(uuid)

        clock = ClockMapper(follow=self.clock_sync)
        if protocol == "imu":
            # the layout it streams (with a gyroscope or not), to say why nothing comes when one sample cannot fit
            with contextlib.suppress(BleakError, BleError, TimeoutError, OSError):
                async with asyncio.timeout(2.0):
                    self._imu_info = p.decode_imu_info(await client.read_gatt_char(p.IMU_INFO_UUID))
            if self._decoder is None:
                self._decoder = ImuStreamDecoder(t0_ns=t0_ns, clock=clock)
            await subscribe(p.IMU_CONTROL_POINT_UUID, on_response)
            await subscribe(p.IMU_DATA_UUID, on_data)
            await command(p.IMU_CONTROL_POINT_UUID, p.encode_imu_command(p.IMU_OP_START), p.check_imu_response)
        elif protocol == "pmd":
            await subscribe(p.PMD_CONTROL_POINT_UUID, on_response)
            await subscribe(p.PMD_DATA_UUID, on_data)
            # a Polar sensor streams only the settings it offers (a Verity Sense's accelerometer: 52 Hz alone): ask
            # which, and start with the rate nearest the one wanted
            try:
                answer = await command(p.PMD_CONTROL_POINT_UUID, p.PMD_GET_ACC_SETTINGS, p.check_pmd_response)
                offered = p.decode_pmd_setting_values(p.pmd_response_parameters(answer))
            except BleError as exc:
                log.info(
                    "%s did not list its ACC settings (%s): asking for %s Hz", self.address, exc, self.sample_rate_hz
                )
                offered = {}
            chosen = p.choose_pmd_acc_settings(offered, sample_rate_hz=self.sample_rate_hz)
            start = p.encode_pmd_start(
                sample_rate_hz=chosen[p.PMD_SETTING_SAMPLE_RATE],
                range_g=chosen[p.PMD_SETTING_RANGE],
                resolution_bits=chosen[p.PMD_SETTING_RESOLUTION],
            )
            started = await command(p.PMD_CONTROL_POINT_UUID, start, p.check_pmd_response)
            if self._decoder is None:
                self._decoder = PmdAccDecoder(
                    t0_ns=t0_ns,
                    clock=clock,
                    sample_rate_hz=chosen[p.PMD_SETTING_SAMPLE_RATE],
                    factor=p.pmd_factor(p.pmd_response_parameters(started)),
                )
        elif protocol == "microbit":
            if self._decoder is None:
                # ask for the period closest to the requested rate; the board keeps its own when it refuses
                wanted_ms = min(p.MICROBIT_PERIODS_MS, key=lambda ms: abs(ms - 1000 / self.sample_rate_hz))
                with contextlib.suppress(BleakError):
                    await client.write_gatt_char(p.MICROBIT_ACC_PERIOD_UUID, wanted_ms.to_bytes(2, "little"), True)
                period_ms = int.from_bytes(await client.read_gatt_char(p.MICROBIT_ACC_PERIOD_UUID), "little")
                self._decoder = MicrobitDecoder(t0_ns=t0_ns, clock=clock, period_s=max(period_ms, 1) / 1000)
            await subscribe(p.MICROBIT_ACC_DATA_UUID, on_data)
        if protocol == "rsc" or with_rsc:
            await subscribe(p.RSC_MEASUREMENT_UUID, on_rsc)

    def _decode(self, item: tuple[int, str, bytes]) -> Any:
        arrival_ns, kind, data = item
        try:
            if kind == "rsc":
                return p.decode_rsc_measurement(data)
            assert self._decoder is not None
            chunk, gap = self._decoder.feed(arrival_ns, data)
        except BleError as exc:
            # one corrupt notification must not end a walk: count it as lost and go on
            self.bad_packets += 1
            log.debug("dropped a malformed packet from %s: %s", self.address, exc)
            return None
        if gap is not None:
            self._report_gap(gap)
        return chunk

    def _report_gap(self, gap: Gap) -> None:
        self._notify({**gap.to_dict(), "total_lost_packets": self.lost_packets})


__all__ = [
    "BleSensorSource",
    "SensorInfo",
    "choose_protocol",
    "find_sensor",
    "offered_protocols",
    "protocols_from_advertisement",
    "scan",
]
