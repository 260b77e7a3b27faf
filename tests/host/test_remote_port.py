"""A board behind a network serial port (socket://, as ser2net serves one) works like a local one."""

from __future__ import annotations

import os
import select
import socket
import threading
import tty

from .conftest import mpremote, run


class _SerialOverTCP:
    """Serves one serial device on a loopback TCP port, raw bytes both ways (ser2net's raw mode)."""

    def __init__(self, device: str) -> None:
        self.fd = os.open(device, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self.server.getsockname()[1]}"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            if not select.select([self.server], [], [], 0.2)[0]:
                continue
            conn, _ = self.server.accept()
            with conn:
                while not self.stop.is_set():
                    ready = select.select([conn, self.fd], [], [], 0.2)[0]
                    if conn in ready:
                        data = conn.recv(4096)
                        if not data:
                            break
                        os.write(self.fd, data)
                    if self.fd in ready:
                        conn.sendall(os.read(self.fd, 4096))

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()
        os.close(self.fd)


def test_mpremote_and_deploy_over_socket_url(board):
    bridge = _SerialOverTCP(board.port)
    try:
        assert mpremote(bridge.url, "exec", "print(6 * 7)").stdout.strip() == "42"
        out = run("netsocket", "deploy", "--port", bridge.url).stdout
        assert "import netsocket works" in out
    finally:
        bridge.close()
