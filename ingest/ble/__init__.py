"""BLE sensors: pure packet codecs, clock mapping, sensor sources on bleak and a virtual radio on Bumble.

- :mod:`ingest.ble.protocols`: UUIDs and pure ``bytes -> values`` codecs (RSC, Polar PMD, IMU stream, micro:bit);
- :mod:`ingest.ble.clock`, :mod:`ingest.ble.streams`: sensor clocks, sequence counters, host-timed chunks and gaps;
- :mod:`ingest.ble.sources`: :func:`~ingest.ble.sources.scan`, :func:`~ingest.ble.sources.find_sensor` and
  :class:`~ingest.ble.sources.BleSensorSource` (an async iterable of chunks with reconnects) on bleak's public API;
- :mod:`ingest.ble.virtual`, :mod:`ingest.ble.backend`: virtual sensors on Bumble and the bleak backends reaching them.
"""

from ingest.ble.errors import BleError

__all__ = ["BleError"]
