"""`gait serve` whose virtual IMU sensor drops its link once (a test's server: ``python -m`` this module ``serve ...``).

``GAIT_TEST_LINK_FAULT="AFTER_S,DOWN_S"``: the link drops AFTER_S seconds of the replayed recording into streaming and
the sensor stays silent for DOWN_S seconds of wall time (:class:`ingest.ble.virtual.SensorFaults`).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import ingest.ble.virtual as virtual


def main() -> int:
    after_s, down_s = (float(x) for x in os.environ["GAIT_TEST_LINK_FAULT"].split(","))
    demo_sensor = virtual.demo_sensor

    def faulty(recording: Any, protocol: Any, **options: Any) -> virtual.VirtualSensor:
        if protocol == "imu":
            options["faults"] = virtual.SensorFaults(drop_link_after_s=after_s, link_down_s=down_s)
        return demo_sensor(recording, protocol, **options)

    virtual.demo_sensor = faulty  # the virtual radio builds its demo sensors through this module attribute
    from service.cli import main as gait

    return gait(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
