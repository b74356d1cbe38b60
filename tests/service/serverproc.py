"""A `gait serve` subprocess for tests that need a real server (crash tests, browser tests, benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `gait serve` subprocess on a temporary data dir."""

    def __init__(
        self, data_dir: Path, samples_dir: Path, *, demo: bool, port: int | None = None, module: str = "service.cli"
    ) -> None:
        """``module``: the command line run as ``python -m`` (a test's own, e.g. one that injects sensor faults)."""
        self.port = free_port() if port is None else port
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GAIT_SAMPLES_DIR": str(samples_dir), "GAIT_DEMO_SPEED": "4"}
        args = [sys.executable, "-m", module, "serve", "--data-dir", str(data_dir), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            args + ([] if demo else ["--no-demo"]), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.wait_until(lambda: self.client.get("/api/health").status_code == 200, "the server to start")

    def wait_until(self, predicate: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.proc.stdout.read().decode()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def terminate(self) -> None:
        """SIGTERM the server (a Ctrl+C or a system shutdown: its clean-up runs) and wait until it has exited."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)

    def kill(self) -> None:
        """SIGKILL the server (no clean-up runs: what a crash or power cut looks like to the database)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.client.close()
