"""Serving the emulator: a real uvicorn server on 127.0.0.1, in a thread or in the foreground.

The emulator accepts fixed, published credentials, so it must never be
reachable from another machine: every way of serving it binds loopback only
and refuses any other host. The socket is bound here (not by uvicorn) so that
port 0 can pick a free port and the caller learns it before serving starts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn

from harness.emulator.routes import PREFIX, build_app
from harness.emulator.state import HEALTHY, Faults, Store

LOOPBACK_HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
_POLL_SECONDS = 0.01


def check_host(host: str) -> None:
    """Refuse to serve anywhere but loopback: the emulator's keys are public."""
    if host != LOOPBACK_HOST:
        raise ValueError(
            f"the emulator only binds {LOOPBACK_HOST}, not {host!r}: it accepts fixed, "
            "published API keys and must not be reachable from other machines"
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0 = a free one); OSError if taken."""
    check_host(host)
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only for sockets that say TCP, and with
    # Nagle on, every keep-alive answer waits out the peer's delayed ACK (40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}{PREFIX}"


class Emulator:
    """The emulated Admin API, served from a background thread for tests and tools.

    State lives in ``store`` and survives stop/start; a restart reuses the port.
    """

    def __init__(
        self,
        port: int = 0,
        faults: Faults = HEALTHY,
        *,
        host: str = LOOPBACK_HOST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_host(host)
        self._host = host
        self._port = port
        self.store = Store(faults, clock)
        self.app = build_app(self.store)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``: where ``/__emulator/reset`` and ``/__emulator/state`` live."""
        if not self._port:
            raise RuntimeError("the emulator has no port yet: call start() first")
        return f"http://{self._host}:{self._port}"

    @property
    def url(self) -> str:
        """The Admin API base URL, e.g. ``http://127.0.0.1:54321/api/admin/v3.0``."""
        return self.root_url + PREFIX

    def start(self) -> Emulator:
        """Serve in a background thread; returns once the server accepts connections."""
        if self.running:
            return self
        sock = bind(self._host, self._port)
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_config=None, log_level="warning", access_log=False, lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=_run, args=(server, sock), name=f"docharness-emulator-{self._port}", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start on {self.root_url}")
            time.sleep(_POLL_SECONDS)
        return self

    def stop(self) -> None:
        """Shut the server down and wait for its thread; safe to call when not running."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(STOP_TIMEOUT_SECONDS)
        if thread.is_alive():
            server.force_exit = True
            thread.join()

    def reset(self, faults: Faults = HEALTHY) -> None:
        """Back to the initial state (ids restart) with new faults."""
        self.store.reset(faults)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


def serve(
    port: int = 8765,
    faults: Faults = HEALTHY,
    *,
    host: str = LOOPBACK_HOST,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until Ctrl-C; ``ready`` gets the base URL once bound.

    Raises OSError when the port is taken and ValueError for a non-loopback host.
    """
    sock = bind(host, port)
    try:
        server = uvicorn.Server(uvicorn.Config(build_app(Store(faults)), lifespan="off"))
        if ready is not None:
            ready(base_url(sock))
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl-C after its graceful shutdown; stopping is the goal
    finally:
        sock.close()
