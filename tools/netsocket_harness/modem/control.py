"""The control socket of an emulated modem: one text command per line (fault knobs, network
events, line rate, state), answered with one line "OK ..." or "ERROR ...". A mixin of
`core.ModemEmulator`.
"""

from __future__ import annotations

import selectors
import socket

from .faults import Faults


class ControlServer:
    """Accepts control connections on the emulator's ``ctl`` socket (served by its loop)."""

    def _on_ctl_accept(self, _mask: int) -> None:
        try:
            conn, _ = self.ctl.accept()
        except OSError:
            return
        conn.setblocking(False)
        buf = bytearray()
        self.sel.register(conn, selectors.EVENT_READ, lambda _m: self._on_ctl(conn, buf))

    def _on_ctl(self, conn: socket.socket, buf: bytearray) -> None:
        try:
            data = conn.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.sel.unregister(conn)
            conn.close()
            return
        buf += data
        while b"\n" in buf:
            line, _, rest = bytes(buf).partition(b"\n")
            buf[:] = rest
            reply = self.control_command(line.decode(errors="replace").strip())
            try:
                conn.sendall((reply + "\n").encode())
            except OSError:
                pass

    def control_command(self, line: str) -> str:
        """One control command -> reply line ("OK ..." or "ERROR ...")."""
        words = line.split()
        if not words:
            return "ERROR empty"
        cmd, args = words[0].lower(), words[1:]
        try:
            if cmd == "set":
                for kv in args:
                    k, _, v = kv.partition("=")
                    self.faults.set(k, v)
                return "OK"
            if cmd == "reset":  # knobs to their defaults, SIM unlocked, line rate as started, command mode
                self.faults = Faults()
                self.pin_ok = True
                self.data_mode = False
                self.pending_send = None
                self.out_pacer.set(self.start_baud)
                self.in_pacer.set(self.start_baud)
                return "OK"
            if cmd == "baud":
                self.baud = int(args[0])
                self.out_pacer.set(self.baud)
                self.in_pacer.set(self.baud)
                return "OK"
            if cmd == "pdpdeact":
                self._pdp_lost()
                return "OK"
            if cmd == "reboot":
                self.reboot()
                return "OK"
            if cmd == "close":
                return "OK" if self.peer_close(int(args[0])) else "ERROR no such socket"
            if cmd == "urc":
                self.urc(" ".join(args))
                return "OK"
            if cmd == "dns":
                self.dns[args[0].lower()] = args[1]
                return "OK"
            if cmd == "nonip":
                self.nonip_peer = (args[0], int(args[1]))
                return "OK"
            if cmd == "state":
                socks = " ".join(f"{c}:{s.kind}:{s.state}" for c, s in sorted(self.socks.items()))
                return f"OK reg={self.reg_stat()} echo={int(self.echo)} socks={socks or '-'}"
            if cmd == "ping":
                return "OK " + self.MODEL
        except (KeyError, ValueError, IndexError) as e:
            return f"ERROR {cmd}: {e!r}"
        return f"ERROR unknown command {cmd}"
