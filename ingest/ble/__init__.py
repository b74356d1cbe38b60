"""BLE sensors: pure packet codecs, clock mapping, sensor sources on bleak and a virtual radio on Bumble."""
