"""`make lab` starts JupyterLab (as root too) with the project's kernel; the test stops the server it started."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, r.read()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_serves_the_notebooks_with_the_mipnn_kernel():
    port, token = _free_port(), "mipnn-test-token"
    args = f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token}"
    proc = subprocess.Popen(["make", "-s", "lab", f"LAB_ARGS={args}"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}: {proc.stdout.read().decode()[-2000:]}")
            try:
                status, body = _get(f"{base}/api/kernelspecs?token={token}")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, "JupyterLab did not answer within 60 s"
        names = {spec["spec"]["display_name"] for spec in json.loads(body)["kernelspecs"].values()}
        assert "Python 3 (mipnn)" in names
        status, _ = _get(f"{base}/lab/tree/01_tame_bnn_dual.ipynb?token={token}")
        assert status == 200
        status, body = _get(f"{base}/api/contents/01_tame_bnn_dual.ipynb?token={token}&content=0")
        assert status == 200 and json.loads(body)["type"] == "notebook"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the process group make started: make and the server
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        proc.stdout.close()
        for _ in range(40):  # nothing of the group is left behind
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.25)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("a process of the JupyterLab group was still alive 10 s after SIGTERM")
