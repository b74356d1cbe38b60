"""bleak backends for the virtual radio, so our code uses bleak's public API against virtual sensors.

``BleakScanner(..., backend=radio.scanner_backend)`` and ``BleakClient(..., backend=radio.client_backend)``. The
backend API of bleak is marked unstable: bleak is pinned (3.1.0) and these classes follow its contract:

- scanner: ``start``/``stop``; each advertisement goes through ``create_or_update_device`` (``seen_devices``) and,
  when ``is_allowed_uuid``, ``call_detection_callbacks``; ``seen_devices`` is cleared when scanning starts;
- client: ``connect`` fills ``self.services`` before it returns (as every OS backend does, after an ATT MTU exchange:
  without it Bumble cuts notifications to 20 bytes); ``disconnect``; reads, writes, ``start_notify`` and
  ``stop_notify``; ``mtu_size``; ``is_connected``; the disconnected callback on unsolicited disconnects only.

Every wait races the link: a sensor that vanishes mid-operation raises ``BleakError`` at once instead of leaving a
GATT request to hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError

from ingest.ble.virtual import VirtualRadio, _bumble, bumble_uuid_to_str

log = logging.getLogger(__name__)
T = TypeVar("T")

_PROPERTY_NAMES = {
    0x01: "broadcast",
    0x02: "read",
    0x04: "write-without-response",
    0x08: "write",
    0x10: "notify",
    0x20: "indicate",
    0x40: "authenticated-signed-writes",
    0x80: "extended-properties",
}


def bind_scanner(radio: VirtualRadio) -> type[VirtualScanner]:
    """A :class:`VirtualScanner` subclass bound to ``radio`` (bleak instantiates backends itself)."""
    return type("VirtualScanner", (VirtualScanner,), {"radio": radio})


def bind_client(radio: VirtualRadio) -> type[VirtualClient]:
    """A :class:`VirtualClient` subclass bound to ``radio``."""
    return type("VirtualClient", (VirtualClient,), {"radio": radio})


class VirtualScanner(BaseBleakScanner):
    """bleak scanner backend over a :class:`~ingest.ble.virtual.VirtualRadio` (use :func:`bind_scanner`)."""

    radio: VirtualRadio

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._central: Any = None
        self._scanning = False

    async def start(self) -> None:
        """Start scanning; ``seen_devices`` starts empty."""
        self.seen_devices = {}
        self._central = await self.radio.central()
        self._central.on("advertisement", self._on_advertisement)
        await self.radio.start_scanning()
        self._scanning = True

    async def stop(self) -> None:
        """Stop scanning."""
        if not self._scanning:
            return
        self._scanning = False
        self._central.remove_listener("advertisement", self._on_advertisement)
        await self.radio.stop_scanning()

    def _on_advertisement(self, adv: Any) -> None:
        b = _bumble()
        ad = b.core.AdvertisingData
        data = adv.data
        address = str(adv.address).split("/")[0]
        uuids: list[str] = []
        for kind in (
            ad.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
            ad.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
            ad.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
            ad.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
        ):
            for value in data.get_all(kind):
                for u in value if isinstance(value, list) else [value]:
                    text = bumble_uuid_to_str(u)
                    if text not in uuids:  # advertisement and scan response are merged
                        uuids.append(text)
        name = data.get(ad.COMPLETE_LOCAL_NAME) or data.get(ad.SHORTENED_LOCAL_NAME)
        name = name if isinstance(name, str) or name is None else bytes(name).decode("utf-8", "replace")
        sensor = self.radio.sensor_at(address)
        # Bumble's controller reports -50 dBm for everything; the virtual sensor says how far away it is
        rssi = sensor.rssi_dbm if sensor is not None else int(adv.rssi)
        tx_power = data.get(ad.TX_POWER_LEVEL)
        adv_data = AdvertisementData(
            local_name=name,
            manufacturer_data={},
            service_data={},
            service_uuids=uuids,
            tx_power=None if tx_power is None else int(tx_power),
            rssi=rssi,
            platform_data=(adv,),
        )
        device = self.create_or_update_device(address, address, name, adv.address, adv_data)
        if self.is_allowed_uuid(uuids):
            self.call_detection_callbacks(device, adv_data)


class VirtualClient(BaseBleakClient):
    """bleak client backend over a :class:`~ingest.ble.virtual.VirtualRadio` (use :func:`bind_client`)."""

    radio: VirtualRadio

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout)
        self._name = address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None
        self._connection: Any = None
        self._peer: Any = None
        self._lost: asyncio.Future[None] | None = None
        self._requested_disconnect = False
        self._subscribers: dict[int, Callable[[bytes], None]] = {}

    # -- connection ------------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The advertised name, else the address with dashes (as bleak's other backends do)."""
        return self._name or self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        """The negotiated ATT MTU."""
        return int(self._connection.att_mtu) if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        """True while the link is up."""
        return self._connection is not None and self._lost is not None and not self._lost.done()

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect, exchange the MTU and discover every service, within the client's timeout.

        Raises
        ------
        TimeoutError
            When the sensor does not answer in time (absent, out of range).
        BleakError
            When the link drops during discovery.
        """
        b = _bumble()
        central = await self.radio.central()
        address = b.hci.Address(self.address, b.hci.Address.RANDOM_DEVICE_ADDRESS)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        async with asyncio.timeout(self._timeout):
            async with self.radio.connect_lock:
                try:
                    connection = await central.connect_le(address, timeout=None)
                except (TimeoutError, asyncio.CancelledError):
                    self.radio.clear_pending_connection()
                    raise
        self._connection = connection
        self._lost = loop.create_future()
        self._requested_disconnect = False
        connection.on("disconnection", self._on_disconnection)
        self._peer = b.device.Peer(connection)
        try:
            remaining = max(0.1, deadline - loop.time())
            async with asyncio.timeout(remaining):
                await self._guard(self._peer.request_mtu(self.radio.central_mtu), "exchanging the MTU")
                await self._guard(self._peer.discover_all(), "discovering services")
        except BaseException:
            await self._drop()
            raise
        self.services = self._build_services()

    def _on_disconnection(self, *_: Any) -> None:
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)
        self._subscribers.clear()
        if not self._requested_disconnect and self._disconnected_callback is not None:
            asyncio.get_running_loop().call_soon(self._disconnected_callback)

    async def _guard(self, coro: Awaitable[T], what: str) -> T:
        """Await ``coro`` unless the link drops first (then raise BleakError at once)."""
        if not self.is_connected:
            if asyncio.iscoroutine(coro):
                coro.close()
            raise BleakError(f"not connected ({what})")
        assert self._lost is not None
        task = asyncio.ensure_future(coro)
        done, _ = await asyncio.wait({task, self._lost}, return_when=asyncio.FIRST_COMPLETED)
        # Bumble cancels pending GATT requests when the link drops: a cancelled request is a lost link too
        if task in done and not task.cancelled():
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise BleakError(f"the device disconnected while {what}")

    async def _drop(self) -> None:
        self._requested_disconnect = True
        if self._connection is not None and self.is_connected:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2.0):
                    await self._connection.disconnect()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    async def disconnect(self) -> None:
        """Disconnect (no disconnected callback: the caller asked for it)."""
        await self._drop()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """The virtual sensors need no pairing."""
        raise BleakError("the virtual radio does not pair: its sensors need no pairing")

    async def unpair(self) -> None:
        """The virtual sensors need no pairing."""
        raise BleakError("the virtual radio does not pair: its sensors need no pairing")

    def _build_services(self) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in self._peer.services:
            bs = BleakGATTService(service, service.handle, bumble_uuid_to_str(service.uuid))
            collection.add_service(bs)
            for char in service.characteristics:
                props = [name for bit, name in _PROPERTY_NAMES.items() if int(char.properties) & bit]
                bc = BleakGATTCharacteristic(
                    char,
                    char.handle,
                    bumble_uuid_to_str(char.uuid),
                    props,  # type: ignore[arg-type]
                    lambda: self.mtu_size - 3,
                    bs,
                )
                collection.add_characteristic(bc)
                for desc in char.descriptors:
                    collection.add_descriptor(BleakGATTDescriptor(desc, desc.handle, bumble_uuid_to_str(desc.type), bc))
        return collection

    # -- I/O -------------------------------------------------------------------------------------------------------
    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, **kwargs: Any) -> bytearray:
        """Read a characteristic's value."""
        value = await self._guard(self._peer.read_value(characteristic.obj), f"reading {characteristic.uuid}")
        return bytearray(value)

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, **kwargs: Any) -> bytearray:
        """Read a descriptor's value."""
        value = await self._guard(self._peer.read_value(descriptor.obj), f"reading descriptor {descriptor.uuid}")
        return bytearray(value)

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any, response: bool) -> None:
        """Write a characteristic, with or without response."""
        await self._guard(
            characteristic.obj.write_value(bytes(data), with_response=response), f"writing {characteristic.uuid}"
        )

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        """Write a descriptor."""
        await self._guard(descriptor.obj.write_value(bytes(data), with_response=True), f"writing {descriptor.uuid}")

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Enable notifications (or indications when that is all the characteristic offers)."""

        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = on_value
        await self._guard(self._peer.subscribe(characteristic.obj, on_value, prefer_notify=True), "subscribing")

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Disable notifications."""
        on_value = self._subscribers.pop(characteristic.handle, None)
        if self.is_connected:
            await self._guard(self._peer.unsubscribe(characteristic.obj, on_value), "unsubscribing")
