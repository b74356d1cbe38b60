"""``gait scan``: nearby Bluetooth LE sensors, what each supports, and their signal strength."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex

from ingest.ble.sources import SensorInfo, scan
from ingest.ble.virtual import DEMO_SENSOR_NAMES, demo_radio
from ingest.errors import IngestError
from service.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scan`` sub-command."""
    p = subparsers.add_parser(
        "scan",
        help="list nearby Bluetooth LE sensors and what they support",
        description="Scan for Bluetooth LE gait sensors: IMU stream, Polar PMD, micro:bit, RSC foot pods.",
    )
    p.add_argument("--seconds", type=float, default=5.0, help="how long to scan (default 5 s)")
    p.add_argument("--all", action="store_true", help="also list devices without a gait service")
    p.add_argument("--json", action="store_true", help="print the sensors as JSON")
    p.add_argument("--demo", action="store_true", help="scan a virtual radio with one sensor per protocol")
    p.set_defaults(func=run)


async def _demo_scan(seconds: float, all_devices: bool) -> list[SensorInfo]:
    from service.commands.live import demo_recording

    radio = await demo_radio(demo_recording(), loop=False)
    try:
        return await scan(timeout_s=seconds, backend=radio.scanner_backend, all_devices=all_devices)
    finally:
        await radio.close()


async def _virtual_scan(settings: Settings, seconds: float, all_devices: bool) -> list[SensorInfo]:
    from service.demo import virtual_ble

    access = await virtual_ble(settings)
    try:
        return await scan(
            timeout_s=access.scan_seconds(seconds), backend=access.scanner_backend, all_devices=all_devices
        )
    finally:
        await access.close()


def demo_walk_command(name: str | None) -> str:
    """The command that walks with the demo sensor ``name`` of ``gait scan --demo``: ``gait live --demo`` with its
    ``--demo-protocol``, else (a protocol ``--demo-protocol`` does not offer: the foot pod) ``gait live NAME`` on the
    virtual radio of ``GAIT_BLE_VIRTUAL=1``, which holds every demo sensor.

    Examples
    --------
    >>> demo_walk_command("GaitDemo"), demo_walk_command("Polar Sense DEMO")
    ('gait live --demo', 'gait live --demo --demo-protocol pmd_compressed')
    >>> demo_walk_command("FootPod demo")
    "GAIT_BLE_VIRTUAL=1 gait live 'FootPod demo'"
    """
    from service.commands.live import DEMO_PROTOCOLS

    protocol = next((p for p, demo_name in DEMO_SENSOR_NAMES.items() if demo_name == name), None)
    if protocol == "imu":  # the default
        return "gait live --demo"
    if protocol in DEMO_PROTOCOLS:
        return f"gait live --demo --demo-protocol {protocol}"
    return f"GAIT_BLE_VIRTUAL=1 gait live {shlex.quote(name or '')}"


def run(args: argparse.Namespace) -> int:
    """Scan and print the sensors found."""
    if not args.seconds > 0:
        raise IngestError(f"--seconds must be positive, got {args.seconds}", reason="usage")
    settings = Settings.from_env()
    if args.demo:
        sensors = asyncio.run(_demo_scan(min(args.seconds, 1.0), args.all))
    elif settings.ble_virtual:
        # the testing aid the service honours too (GAIT_BLE_VIRTUAL=1): its virtual radio of demo sensors, which
        # `gait live NAME` then connects to
        sensors = asyncio.run(_virtual_scan(settings, args.seconds, args.all))
    else:
        sensors = asyncio.run(scan(timeout_s=args.seconds, all_devices=args.all))
    if args.json:
        print(json.dumps([s.to_dict() for s in sensors], indent=1))
        return 0
    if not sensors:
        print(
            f"no gait sensors found in {args.seconds:g} s; switch the sensor on and bring it closer (--all lists "
            "every Bluetooth LE device)"
        )
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Bluetooth LE sensors ({min(args.seconds, 1.0) if args.demo else args.seconds:g} s scan)")
    for col in ("name", "address", "signal", "supports"):
        table.add_column(col)
    for s in sensors:
        table.add_row(s.name or "?", s.address, f"{s.rssi_dbm} dBm", s.supports)
    Console().print(table)
    if args.demo:
        # these sensors live on this command's own virtual radio, gone when it ends: `gait live ADDRESS` would look
        # for them on the computer's radio
        print("these are virtual demo sensors, gone when this scan ends; walk with one:")
        width = max(len(s.name or "?") for s in sensors)
        for s in sensors:
            print(f"  {s.name or '?':<{width}}  {demo_walk_command(s.name)}")
    else:
        print("connect with: gait live ADDRESS (or NAME when it is unique)")
    return 0
