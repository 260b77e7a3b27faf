# Virtual-board personality (emulation), board side: the `socket` module of the
# stm32 and rp2 ports, MicroPython's extmod/modlwip.c (v1.28.0), over host sockets.
#
# Reproduced (modlwip.c line):
# - socket states NEW/LISTENING/CONNECTING/CONNECTED/ACTIVE_UDP/PEER_CLOSED/RST_HANDLED (352-358);
#   an error (refused, reset, aborted) frees the PCB (_lwip_tcp_error 496-506);
# - connect(): EBADF once the PCB is gone (1200), EISCONN/EALREADY on a connected/connecting
#   socket (1211-1216), EINPROGRESS when non-blocking (1242), the error of a failed blocking
#   connect from the lookup table (1249-1269: a refused connect is ERR_RST -> ECONNRESET);
# - recv: ENOTCONN on a listening socket (833), the stored error once then EBADF (840-848),
#   non-blocking EAGAIN for a socket that is not connected (853-857: also a NEW one), blocking
#   ENOTCONN for a NEW one (874-877), 0 once the peer closed (869);
# - send on a connecting non-blocking socket: EAGAIN (759-768); without a PCB: the error (1275-1282);
# - poll: POLLHUP for a NEW socket (1646-1648), POLLERR|POLLHUP after a reset (1653-1657),
#   POLLNVAL after the error was read (1660), no POLLOUT while connecting (1639);
# - PCB pools: tcp_new()/udp_new() NULL -> ENOMEM (996). MEMP_NUM_TCP_PCB is lwIP's default 5
#   (lwipopts_common.h does not set it); MEMP_NUM_UDP_PCB is 4 + LWIP_MDNS_RESPONDER
#   (extmod/lwip-include/lwipopts_common.h:70), of which the mDNS responder and the DHCP
#   client hold one each once the interface is up: 3 for applications. Listening PCBs
#   come from their own pool (MEMP_NUM_TCP_PCB_LISTEN, 8);
# - setsockopt: option 20 sets the event callback (1482-1488); SO_REUSEADDR, SO_BROADCAST,
#   IP_ADD/DROP_MEMBERSHIP, TCP_NODELAY; any other option prints
#   "Warning: lwip.setsockopt() not implemented" and returns None (1538-1540);
# - the callback runs on accept, TCP data and FIN, and (v1.28) UDP datagrams (exec_user_callback:
#   466, 584, 609, 623): never on connect completion, writability or a reset (496-515);
# - constants as modlwip.c 1923-1943; getaddrinfo gives one IPv4 5-tuple (1893-1898).
#
# Not reproduced: lwIP's own TCP timing (windows, Nagle, retransmission), the SO_REUSEADDR
# semantics of lwIP (host rules apply), the UDP receive queue length (LWIP_INCOMING_PACKET_QUEUE_LEN)
# and its drops, IPv6, raw sockets, a host-side RST arriving as POLLIN (the host reports it).
from pers_common import Base, Callbacks, host_addr, host_poll, host_socket, num, oserror, port_addr, port_error, resolve

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
SOL_SOCKET = 1
SO_REUSEADDR = 0x04  # SOF_REUSEADDR
SO_BROADCAST = 0x20  # SOF_BROADCAST
IPPROTO_IP = 0
IP_ADD_MEMBERSHIP = 0x400  # modlwip.c:68
IP_DROP_MEMBERSHIP = 0x401
IPPROTO_TCP = 6
TCP_NODELAY = 0x40  # TF_NODELAY
MSG_PEEK = 1
MSG_DONTWAIT = 2

_NEW = 0
_LISTENING = 1
_CONNECTING = 2
_CONNECTED = 3
_UDP = 4
_PEER_CLOSED = 5
_RST_HANDLED = 6
_ERROR = -1  # the PCB is gone; _err names the error
_BADF = -2

TCP_PCBS = 5
UDP_PCBS = 3
_used = [0, 0]  # TCP, UDP PCBs in use


def _rst(ev):
    return ev & 8 and not ev & 4


def _fires(s, ev):
    # exec_user_callback: data/FIN/accept (readability), UDP datagrams; never a reset
    return s._state != _CONNECTING and not (ev & 8)


_callbacks = Callbacks(_fires)


class socket(Base):
    def __init__(self, af=AF_INET, kind=SOCK_STREAM, proto=0, _conn=None):
        self._udp = kind == SOCK_DGRAM
        i = 1 if self._udp else 0
        if _used[i] >= (UDP_PCBS if i else TCP_PCBS):
            raise oserror("ENOMEM")  # modlwip.c:996: no PCB left
        _used[i] += 1
        self._pcb = i
        self._s = host_socket(kind) if _conn is None else _conn  # _conn: an accepted host socket
        self._state = _UDP if self._udp else _NEW if _conn is None else _CONNECTED
        self._err = None

    def __repr__(self):
        return "<socket state=%d timeout=%d incoming=0 off=0>" % (self._state, self._t)

    def _free(self):
        # the PCB is gone (error callback or close)
        if self._pcb is not None:
            _used[self._pcb] -= 1
            self._pcb = None

    def _fail(self, name):
        self._state = _ERROR
        self._err = name

    def _update(self):
        # follow the host connection: connect completion, refusal, reset
        st = self._state
        if st == _CONNECTING:
            ev = host_poll(self._s, 4, 0)
            if ev:
                try:
                    self._s.connect(self._dest)
                    self._state = _CONNECTED
                except OSError as e:
                    if e.errno == 106:  # EISCONN: connected
                        self._state = _CONNECTED
                    elif e.errno == 111:
                        self._fail("ECONNRESET")  # a RST answers the SYN: ERR_RST
                    elif e.errno not in (114, 115):
                        self._fail("ECONNABORTED")
        return self._state

    def close(self):
        if self._s is not None:
            _callbacks.set(self, None)
            self._s.close()
            self._s = None
            self._free()
            self._state = _BADF

    def listen(self, backlog=2):
        if self._state < 0 or self._s is None:
            raise oserror("EBADF")
        try:
            self._s.listen(backlog)
        except OSError as e:
            raise port_error(e)
        self._free()  # tcp_listen frees the PCB: listening PCBs are a pool of their own
        self._state = _LISTENING

    def accept(self):
        if self._udp:
            raise oserror("EOPNOTSUPP")  # modlwip.c:1115-1117
        if self._state != _LISTENING:
            # no PCB: EBADF; a PCB that is not listening: EINVAL (modlwip.c:1121-1132)
            raise oserror("EBADF" if self._state < 0 or self._s is None else "EINVAL")
        s, a = self._accept_host()  # modlwip.c:1143-1150
        try:
            c = socket(AF_INET, SOCK_STREAM, 0, s)
        except OSError:
            s.close()  # lwIP refuses the connection when no PCB is left
            raise oserror("EAGAIN")
        return c, port_addr(a)

    def connect(self, addr):
        if self._s is None or self._state < 0:
            raise oserror("EBADF")  # modlwip.c:1200: the PCB was freed (error or close)
        dest = host_addr(addr)
        if self._udp:
            try:
                self._s.connect(dest)
            except OSError as e:
                raise port_error(e)
            return
        st = self._update()
        if st == _CONNECTED or st == _PEER_CLOSED:
            raise oserror("EISCONN")
        if st != _NEW:
            raise oserror("EALREADY" if st == _CONNECTING else "EBADF")
        self._dest = dest
        self._state = _CONNECTING
        try:
            self._s.connect(dest)
            self._state = _CONNECTED
            return
        except OSError as e:
            if e.errno not in (115, 11):  # the host knew at once (loopback); lwIP's RST comes later
                self._fail("ECONNRESET" if e.errno == 111 else "ECONNABORTED")
        if self._t == 0:
            raise oserror("EINPROGRESS")  # tcp_connect queued the SYN (modlwip.c:1222-1242)
        while self._update() == _CONNECTING:
            if self._t == 0:
                raise oserror("EINPROGRESS")
            if not host_poll(self._s, 4, self._t):
                raise oserror("ETIMEDOUT")
        if self._state < 0:
            err = self._err
            self._free()
            self._state = _BADF
            raise oserror(err)

    def _check(self):
        # lwip_socket_check_connected (1275-1282): no PCB -> the stored error, then EBADF
        if self._state == _ERROR:
            err = self._err
            self._state = _BADF
            self._free()
            raise oserror(err)
        if self._state == _BADF:
            raise oserror("EBADF")

    def write(self, buf, n=None, m=None):
        # the stream write: None where send() raises EAGAIN
        if m is not None:  # write(buf, offset, n), as MicroPython's streams take it
            buf = memoryview(buf)[n : n + m]
        elif n is not None:
            buf = memoryview(buf)[:n]
        try:
            return self.send(buf)
        except OSError as e:
            if e.errno == num("EAGAIN"):
                return None
            raise

    def send(self, buf):
        if self._udp:
            return self.sendto(buf, None)
        st = self._update()
        self._check()
        if st == _NEW or st == _LISTENING:
            raise oserror("ENOTCONN")  # tcp_write on an unconnected PCB: ERR_CONN
        while True:
            if st == _CONNECTING and self._t == 0:
                raise oserror("EAGAIN")  # modlwip.c:759-768
            try:
                return self._s.send(buf)
            except OSError as e:
                if e.errno in (104, 32):
                    self._fail("ECONNRESET")
                    self._check()
                if e.errno != 11:
                    raise port_error(e)
            if self._t == 0:
                raise oserror("EAGAIN")
            if not self._wait(4):
                raise oserror("ETIMEDOUT")
            st = self._update()


    def _recv_tcp(self, n):
        st = self._update()
        if st == _LISTENING:
            raise oserror("ENOTCONN")  # modlwip.c:833
        while True:
            if st == _CONNECTED:
                try:
                    d = self._s.recv(n)
                except OSError as e:
                    if e.errno == 104:
                        self._state = _RST_HANDLED  # 843-844: the reset is read once
                        raise oserror("ECONNRESET")
                    if e.errno != 11:
                        raise port_error(e)
                    d = None
                if d is not None:
                    if not d and n:
                        self._state = _PEER_CLOSED
                    return d
            if st < 0:
                self._check()
            if st >= _PEER_CLOSED:
                return b""  # 853-854, 869-872
            if self._t == 0:
                raise oserror("EAGAIN")  # 853-857: also for a NEW socket
            if st != _CONNECTED:
                raise oserror("ENOTCONN")  # 874-877: blocking, not connected
            if not self._wait(1):
                raise oserror("ETIMEDOUT")
            st = self._update()

    def recv(self, n, flags=0):
        if self._udp:
            return self.recvfrom(n)[0]
        return self._recv_tcp(n)


    def sendto(self, data, addr):
        if self._s is None:
            raise oserror("EBADF")
        try:
            if addr is None:
                return self._s.send(data)
            return self._s.sendto(data, host_addr(addr))
        except OSError as e:
            if e.errno == 11:
                raise oserror("ENOMEM")  # udp_sendto: no pbuf (ERR_MEM)
            raise port_error(e)

    def _would_block(self):
        return oserror("EAGAIN")

    def recvfrom(self, n, flags=0):
        if not self._udp:
            return self._recv_tcp(n), None
        if self._s is None:
            raise oserror("EBADF")
        d, a = self._recvfrom_host(n)
        return d, port_addr(a)

    def setsockopt(self, level, opt, value):
        if opt == 20:  # modlwip.c:1482-1488
            _callbacks.set(self, value)
            return
        host = {SO_REUSEADDR: (1, 2), SO_BROADCAST: (1, 6), TCP_NODELAY: (6, 1),
                IP_ADD_MEMBERSHIP: (0, 35), IP_DROP_MEMBERSHIP: (0, 36)}.get(opt)
        if host is None:
            print("Warning: lwip.setsockopt() not implemented")  # modlwip.c:1539
            return
        if opt >= IP_ADD_MEMBERSHIP:
            value = bytes(value)
            if len(value) != 8:
                raise ValueError
        self._host_opt(host, value)


    def ioctl(self, req, arg):
        if req == 4:  # MP_STREAM_CLOSE
            self.close()
            return 0
        if req != 3:  # MP_STREAM_POLL
            return -1
        st = self._update()
        if self._s is None or st == _BADF:
            return 32  # POLLNVAL
        ret = host_poll(self._s, arg & 5, 0) & (arg & 5 | 24)
        if st == _CONNECTING:
            ret &= ~4  # 1639: no POLLOUT while connecting
        if st == _NEW:
            ret = (ret & ~1) | 16  # 1646-1648: a new socket is "hung up"
            if not arg & 4:
                ret &= ~4
        elif st == _ERROR:
            ret = (arg & 1 if self._err == "ECONNRESET" else 0) | 8 | (16 if self._err == "ECONNRESET" else 0)
        elif st == _RST_HANDLED:
            ret = 16 | (arg & 1)
        return ret


def getaddrinfo(host, port, af=0, kind=0, proto=0, flags=0):
    a = resolve(host, port)
    return [(AF_INET, SOCK_STREAM, 0, "", a)]  # modlwip.c:1893-1898
