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
FLAGS = (1 << 4) | 0x01  # version 1, gyro present
HEADER = "<BHIHBHH"
HEADER_SIZE = 14
SAMPLE_SIZE = 12


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
info_char.write(struct.pack("<BBHBH", 1, 1, RATE_HZ, ACC_RANGE_G, GYRO_RANGE_DPS))

imu = MPU6050(I2C(0, sda=Pin(SDA), scl=Pin(SCL), freq=400_000))
streaming = False
seq = 0  # packets produced since power-on; never reset on reconnect (the host sees the jump in t0_us)


async def control_task(connection):
    global streaming
    while connection.is_connected():
        _conn, value = await control_char.written()
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
            pass  # the central did not subscribe to indications


async def stream_task(connection):
    global seq
    period_us = 1_000_000 // RATE_HZ
    batch = []
    t0_us = 0
    last_send = time.ticks_ms()
    next_sample = time.ticks_us()
    while connection.is_connected():
        # MTU - 3 bytes per notification; the central asks for 247 after connecting
        mtu = getattr(connection, "mtu", None) or 23
        per_packet = max(1, min(255, (mtu - 3 - HEADER_SIZE) // SAMPLE_SIZE))
        if not batch:
            t0_us = time.ticks_us() & 0xFFFFFFFF  # free-running clock at the first sample of the packet
        batch.append(imu.read())
        full = len(batch) >= per_packet
        due = time.ticks_diff(time.ticks_ms(), last_send) >= SEND_EVERY_MS
        if full or due:
            header = struct.pack(
                HEADER, FLAGS, seq & 0xFFFF, t0_us, period_us, len(batch), ACC_SCALE_UG, GYR_SCALE_MDPS
            )
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
    while True:
        connection = await aioble.advertise(50_000, name=NAME, services=[SERVICE])
        try:
            await connection.exchange_mtu(247)  # without it notifications are cut to 20 bytes
        except Exception:
            pass
        streaming = False  # a new link must send start again
        await asyncio.gather(control_task(connection), stream_task(connection))


asyncio.run(main())
