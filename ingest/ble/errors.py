"""Exception family of the BLE layer."""

from __future__ import annotations

from ingest.errors import IngestError


class BleError(IngestError):
    """Raised when a BLE sensor, its packets or its link cannot be turned into gait input.

    ``reason`` is one of ``"short_packet"``, ``"malformed_packet"``, ``"unknown_frame_type"``,
    ``"unsupported_measurement"``, ``"not_found"``, ``"ambiguous_name"``, ``"connect_failed"``,
    ``"no_data"``, ``"link_lost"``, ``"unsupported_sensor"``, ``"command_failed"``.
    """


__all__ = ["BleError"]
