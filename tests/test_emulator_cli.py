"""``docharness emulator``: its help, a real run in a subprocess, and a taken port."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import httpx
import pytest
from click.testing import CliRunner

from harness.cli import cli, main
from harness.emulator import DEFAULT_APP_ID, DEFAULT_GROUP_ID

WAIT_SECONDS = 20.0


def test_help_lists_the_faults() -> None:
    result = CliRunner().invoke(cli, ["emulator", "--help"])
    assert result.exit_code == 0
    for option in (
        "--port",
        "--fail-deploys",
        "--sync-terminated",
        "--stall-deployments",
        "--token-ttl",
        "--throttle-next",
        "--unavailable-next",
        "--drafts-disabled",
    ):
        assert option in result.output
    assert "127.0.0.1" in result.output


class Output:
    """A stream read by a thread into a queue, so a silent process fails a test, never hangs it."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def until(self, prefix: str) -> str:
        """Lines up to and including the first that starts with ``prefix``."""
        seen: list[str] = []
        while not seen or not seen[-1].startswith(prefix):
            try:
                seen.append(self._lines.get(timeout=WAIT_SECONDS))
            except queue.Empty:
                pytest.fail(f"no line starting {prefix!r} in time; got {seen}")
        return "".join(seen)

    def rest(self) -> str:
        """Everything else, once the stream has closed."""
        self._thread.join(WAIT_SECONDS)
        lines = []
        while not self._lines.empty():
            lines.append(self._lines.get())
        return "".join(lines)


def test_serves_until_interrupted(repo_root: Path) -> None:
    command = [sys.executable, "-m", "harness", "emulator", "--port", "0", "--sync-terminated"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        command, cwd=repo_root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = Output(process.stdout), Output(process.stderr)
    try:
        text = out.until("Press Ctrl-C")
        url = re.search(r"(http://127\.0\.0\.1:\d+/api/admin/v3\.0)", text)
        assert url, text
        keys = dict(re.findall(r"(public|private) key\s+(\S+)", text))
        assert DEFAULT_GROUP_ID in text and DEFAULT_APP_ID in text

        with httpx.Client(base_url=url.group(1), timeout=10) as http:
            login = http.post(
                "/auth/providers/mongodb-cloud/login",
                json={"username": keys["public"], "apiKey": keys["private"]},
            )
            assert login.status_code == 200
            auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
            app = f"/groups/{DEFAULT_GROUP_ID}/apps/{DEFAULT_APP_ID}"
            service = http.get(f"{app}/services", headers=auth).json()[0]["_id"]
            config = http.get(f"{app}/services/{service}/config", headers=auth).json()
            assert config["sync"] == {"state": ""}, "--sync-terminated reached the server"

        process.send_signal(signal.SIGINT)
        process.wait(WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    errors, printed = err.rest(), out.rest()
    process.stdout.close()
    process.stderr.close()
    assert process.returncode == 0, errors
    assert "Emulator stopped." in printed
    assert "Traceback" not in errors


def test_a_taken_port_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["emulator", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"docharness: error: cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err
