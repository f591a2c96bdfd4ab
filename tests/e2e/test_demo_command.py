"""`chartwell demo` (what `make demo` runs) brings the app up with synthetic patients and a
printed login: run the real console script, sign in over a real socket, find a patient."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _console_script() -> str:
    script = Path(sys.executable).with_name("chartwell")
    return str(script) if script.exists() else shutil.which("chartwell")


SERVING_WITHIN = 300
"""Seconds: the demo installs the offline code sets and builds their search tables, then the
claims (with the MCE tables on first use); about a minute on an idle 2-core machine."""


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "CHARTWELL_DATA_DIR": str(tmp_path / "data"), "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("CHARTWELL_DATABASE_URL", None)
    log = tmp_path / "demo.log"
    with log.open("w") as out:
        process = subprocess.Popen([_console_script(), "demo", "--patients", "8", "--port", str(port)],
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVING_WITHIN
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"chartwell demo exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            pytest.fail(f"chartwell demo did not start serving within {SERVING_WITHIN} s")
        yield f"http://127.0.0.1:{port}", log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_demo_serves_synthetic_patients_and_prints_the_login(demo_server):
    base, printed = demo_server
    match = re.search(r"password:\s*(\S+)", printed)
    assert match, printed
    assert "8 synthetic patients" in printed
    token = httpx.post(f"{base}/api/auth/token", data={"username": "coder", "password": match.group(1)}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    everyone = httpx.get(f"{base}/api/patients", params={"q": "a", "limit": 50}, headers=headers).json()
    assert everyone["total"] >= 1
    refused = httpx.get(f"{base}/api/patients", params={"q": "a"})
    assert refused.status_code == 401
