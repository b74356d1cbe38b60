# Reference firmware for the IMU stream protocol (firmware_notes/PROTOCOL.md), MicroPython + aioble.
#
# Boards: ESP32 / ESP32-S3 / ESP32-C3 or nRF52840 running MicroPython >= 1.22 with aioble (`mip install aioble`).
# IMU: MPU-6050 / MPU-6500 on I2C (address 0x68), SDA/SCL pins below; LSM6DS3 needs its own 10-line driver.
# Wear it on the lower back (belt clip at L5) or laced on the shoe: see PLACEMENT.md.
#
# Not part of the Python package: copy this file to the board as main.py. It is kept small on purpose.
# ruff: noqa

import struct
import time

import aioble
import bluetooth
import uasyncio as asyncio
from machine import I2C, Pin

NAME = "GaitIMU"  # <= 8 characters (see PROTOCOL.md); add a suffix per board
SDA, SCL = 21, 22
RATE_HZ = 100
SEND_EVERY_MS = 50  # never more than 100 ms between packets: the stride decision waits for them

SERVICE = bluetooth.UUID("6a4e0001-7c1f-4b8e-9d2a-3f5c8b1e2d40")
DATA = bluetooth.UUID("6a4e0002-7c1f-4b8e-9d2a-3f5c8b1e2d40")
CONTROL = bluetooth.UUID("6a4e0003-7c1f-4b8e-9d2a-3f5c8b1e2d40")
INFO = bluetooth.UUID("6a4e0004-7c1f-4b8e-9d2a-3f5c8b1e2d40")

ACC_RANGE_G = 16
GYRO_RANGE_DPS = 2000
ACC_SCALE_UG = round(ACC_RANGE_G * 1e6 / 32768)  # 488
GYR_SCALE_MDPS = round(GYRO_RANGE_DPS * 1e3 / 32768)  # 61
VERSION_FLAGS = 1 << 4  # protocol version 1; bit 0 (gyro present) is set per packet
FLAG_GYRO = 0x01
HEADER = "<BHIHBHH"
HEADER_SIZE = 14
ACC_SAMPLE_SIZE, GYRO_SAMPLE_SIZE = 6, 12


class MPU6050:
    def __init__(self, i2c, addr=0x68):
        self.i2c, self.addr = i2c, addr
        i2c.writeto_mem(addr, 0x6B, b"\x00")  # wake up
        i2c.writeto_mem(addr, 0x1A, b"\x03")  # DLPF 44 Hz: below Nyquist at 100 Hz
        i2c.writeto_mem(addr, 0x19, bytes([1000 // RATE_HZ - 1]))  # sample rate divider
        i2c.writeto_mem(addr, 0x1C, b"\x18")  # +-16 g
        i2c.writeto_mem(addr, 0x1B, b"\x18")  # +-2000 dps

    def read(self):
        # ax ay az temp gx gy gz, big-endian i16 -> little-endian for the packet
        ax, ay, az, _t, gx, gy, gz = struct.unpack(">7h", self.i2c.readfrom_mem(self.addr, 0x3B, 14))
        # MPU-6050 at +-16 g: 2048 LSB/g = 488 ug/LSB; at +-2000 dps: 16.4 LSB/dps = 61 mdps/LSB
        return struct.pack("<6h", ax, ay, az, gx, gy, gz)


service = aioble.Service(SERVICE)
data_char = aioble.Characteristic(service, DATA, notify=True)
control_char = aioble.Characteristic(service, CONTROL, write=True, indicate=True, capture=True)
info_char = aioble.Characteristic(service, INFO, read=True)
aioble.register_services(service)


def write_info(with_gyro):
    # features bit 0 says whether this link's packets carry the gyroscope (not at MTU 23: see packet_layout)
    info_char.write(struct.pack("<BBHBH", 1, 1 if with_gyro else 0, RATE_HZ, ACC_RANGE_G, GYRO_RANGE_DPS))


write_info(True)

imu = MPU6050(I2C(0, sda=Pin(SDA), scl=Pin(SCL), freq=400_000))
streaming = False
seq = 0  # packets produced since power-on; never reset on reconnect (the host sees the jump in t0_us)

# t0_us is a 32-bit microsecond clock wrapping at 2**32 (PROTOCOL.md). time.ticks_us() wraps much earlier (its
# period is a power of two chosen by the port: 2**30 us, about 17.9 min, on ESP32 and nRF), so the clock sums
# time.ticks_diff steps, which are right only while two readings are less than half a period apart: clock_task
# reads it every minute, connected or not.
_clock_ticks = time.ticks_us()
_clock_us = 0


def clock_us():
    global _clock_ticks, _clock_us
    now = time.ticks_us()
    _clock_us = (_clock_us + time.ticks_diff(now, _clock_ticks)) & 0xFFFFFFFF
    _clock_ticks = now
    return _clock_us


async def clock_task():
    while True:
        clock_us()
        await asyncio.sleep_ms(60_000)


def packet_layout(connection):
    """(with_gyro, samples per packet) for the link's ATT MTU; a notification carries at most MTU - 3 bytes."""
    room = (getattr(connection, "mtu", None) or 23) - 3 - HEADER_SIZE
    if room >= GYRO_SAMPLE_SIZE:
        return True, min(255, room // GYRO_SAMPLE_SIZE)
    # MTU 23 (the central skipped or refused the MTU exchange): no acc+gyro sample fits the 20 bytes, and a longer
    # packet would be cut by the stack and dropped by the reader. Send acceleration only, as PROTOCOL.md says.
    return False, min(255, room // ACC_SAMPLE_SIZE)


async def control_task(connection):
    try:
        while connection.is_connected():
            # aioble's Characteristic.written() waits under DeviceTimeout(None, timeout_ms) (aioble/server.py), not
            # tied to any connection: a link drop alone would never end this wait, so main() would never advertise
            # again. connection.timeout(None) (DeviceConnection.timeout, aioble/device.py) registers this task with
            # the connection, whose device_task cancels it on disconnect; DeviceTimeout.__exit__ then raises
            # aioble.DeviceDisconnectedError (the pattern of aioble's examples/l2cap_file_server.py).
            with connection.timeout(None):
                conn, value = await control_char.written()
            if conn is not connection:
                continue  # a write the previous link left queued (capture mode queues writes of every link)
            await answer(connection, value)
    except aioble.DeviceDisconnectedError:
        pass


async def answer(connection, value):
    global streaming
    op = value[0] if value else 0
    status = 0
    if op == 0x01:
        streaming = True
    elif op == 0x02:
        streaming = False
    elif op == 0x03:
        status = 0 if len(value) == 3 and struct.unpack("<H", value[1:3])[0] == RATE_HZ else 2
    elif op in (0x04, 0x05):
        status = 0 if len(value) == 3 else 2  # ranges are fixed in this reference firmware
    else:
        status = 1
    try:
        await control_char.indicate(connection, bytes([0x80, op, status]), timeout_ms=1000)
    except Exception:
        pass  # not subscribed to indications, or the link dropped (DeviceDisconnectedError): the loop ends


async def stream_task(connection):
    global seq
    period_us = 1_000_000 // RATE_HZ
    batch = []
    t0_us = 0
    with_gyro, per_packet = True, 1
    info_gyro = None
    last_send = time.ticks_ms()
    next_sample = time.ticks_us()
    while connection.is_connected():
        if not batch:
            # sized from the MTU negotiated now (main() asks for 247); one layout for the whole packet
            with_gyro, per_packet = packet_layout(connection)
            if with_gyro != info_gyro:
                write_info(with_gyro)
                info_gyro = with_gyro
                if not with_gyro:
                    print("MTU", getattr(connection, "mtu", None), "fits no gyro sample: acceleration only")
            t0_us = clock_us()  # free-running 32-bit clock at the first sample of the packet
        sample = imu.read()
        batch.append(sample if with_gyro else sample[:ACC_SAMPLE_SIZE])
        full = len(batch) >= per_packet
        due = time.ticks_diff(time.ticks_ms(), last_send) >= SEND_EVERY_MS
        if full or due:
            flags = VERSION_FLAGS | (FLAG_GYRO if with_gyro else 0)
            gyr_scale = GYR_SCALE_MDPS if with_gyro else 0
            header = struct.pack(HEADER, flags, seq & 0xFFFF, t0_us, period_us, len(batch), ACC_SCALE_UG, gyr_scale)
            seq += 1
            if streaming:
                try:
                    data_char.notify(connection, header + b"".join(batch))
                except Exception:
                    pass  # TX buffer full: the sequence jump tells the host
            batch = []
            last_send = time.ticks_ms()
        next_sample = time.ticks_add(next_sample, period_us)
        await asyncio.sleep_ms(max(0, time.ticks_diff(next_sample, time.ticks_us()) // 1000))


async def main():
    global streaming
    asyncio.create_task(clock_task())
    while True:
        connection = await aioble.advertise(50_000, name=NAME, services=[SERVICE])
        try:
            await connection.exchange_mtu(247)  # without it notifications are cut to 20 bytes
        except Exception:
            pass
        streaming = False  # a new link must send start again
        # both end when the link drops: stream_task on is_connected(), control_task on DeviceDisconnectedError
        await asyncio.gather(control_task(connection), stream_task(connection))
        streaming = False


asyncio.run(main())
