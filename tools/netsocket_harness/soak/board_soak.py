# Board side of `netsocket soak`. It runs INSIDE MicroPython on the board (sent
# as text over the raw REPL after the host filled in PEERS, SECONDS, SEED, CELL), not
# under CPython. Rounds of TCP echo, UDP echo, DNS lookups and TLS echo (no TLS
# over a modem) over netsocket, each checking every byte, while the host changes
# the link's (or the emulated modem's) faults at random. Errors from a faulty link (timeouts, refused, reset) are
# counted, never fatal; a wrong byte is. Every few seconds, with all sockets
# closed, it prints the heap free after collection and the open-socket count:
#   @@SOAK sample <ms> <free bytes> <open sockets> <rounds> <reconnects>
#   @@SOAK reconnect             (the interface went DISCONNECTED: the link or the PDP context dropped)
#   @@SOAK wrong <what>          (a byte that differs from what was sent)
#   @@SOAK end <counters as key=value ...>
import gc
import random
import time
from netsocket import TCPSocket, UDPSocket, TLSSocket, SocketAddress, NetworkInterface, dns

if CELL:  # noqa: F821 - set by the host: (driver, UART id) of an emulated modem, or None
    from machine import UART
    from netsocket.cellular import CellularInterface

    NET = CellularInterface(UART(CELL[1], baudrate=921600), CELL[0])  # noqa: F821
    NET.set_credentials("internet")
    NetworkInterface._default = NET
else:
    NET = NetworkInterface.get_default_instance()
STACK = NET.get_stack()
ECHO = SocketAddress(*PEERS["echo"])  # noqa: F821 - set by the host
TLS_ECHO = SocketAddress(*PEERS["tls_echo"]) if "tls_echo" in PEERS else None  # noqa: F821
PERIOD = 1000
TX = bytearray(2 * PERIOD)
RX = bytearray(PERIOD)
MTX = memoryview(TX)
MRX = memoryview(RX)
UB = bytearray(PERIOD)
MUB = memoryview(UB)
SRC = SocketAddress()
ADDR = SocketAddress()
CA = None
if TLS_ECHO:
    with open("/tests/tls_ca.der", "rb") as f:
        CA = f.read()
C = {"tcp": 0, "tcp_err": 0, "udp": 0, "udp_lost": 0, "dns": 0, "dns_err": 0, "tls": 0, "tls_err": 0,
     "wrong": 0, "reconnect": 0, "bytes": 0}
random.seed(SEED)  # noqa: F821
for i in range(PERIOD):
    TX[i] = 48 + (i * 7 + i // 43) % 43
TX[PERIOD:] = TX[:PERIOD]
dns.set_servers([SocketAddress(*PEERS["dns"])])  # noqa: F821
dns.response_wait = 300
dns.total_attempts = 6
SEQ = [0]


def wrong(what):
    C["wrong"] += 1
    print("@@SOAK wrong", what)


def on_status(event, status):
    if status == 2:  # DISCONNECTED: the link went down (Ethernet) or the network dropped the PDP context
        C["reconnect"] += 1
        print("@@SOAK reconnect")


def ensure_up():
    if NET.get_connection_status() != 1:  # a cellular interface comes back by itself, Ethernet is told to
        NET.connect()  # waits for the carrier (up to 30 s)


def echo(s, total, name):
    """Lockstep echo of `total` pattern bytes on a connected blocking socket; -> True if complete."""
    got = sent = 0
    while got < total:
        if sent == got:
            k = min(PERIOD, total - sent)
            n = s.send(MTX[sent % PERIOD:], k)
            if n <= 0:
                return False
            sent += n
        n = s.recv(MRX, min(PERIOD, sent - got))
        if n <= 0:
            return False
        o = got % PERIOD
        if MRX[:n] != MTX[o:o + n]:
            wrong("%s at %d..%d" % (name, got, got + n))
            return False
        got += n
    C["bytes"] += total
    return True


def stream_round(cls, peer, name, most):
    """Connect a `cls` socket to `peer`, echo up to `most` bytes, close; counted under `name`."""
    s = cls()
    ok = False
    if s.open(NET) == 0 and (CA is None or cls is TCPSocket
                             or s.set_root_ca_cert(CA) == 0 and s.set_hostname("tls.netsocket.test") == 0):
        s.set_timeout(5000)
        ok = s.connect(peer) == 0 and echo(s, random.randint(1, most), name)
    s.close()
    C[name if ok else name + "_err"] += 1


def tcp_round():
    stream_round(TCPSocket, ECHO, "tcp", 16384)


def tls_round():
    stream_round(TLSSocket, TLS_ECHO, "tls", 4096)


def udp_round():
    s = UDPSocket()
    if s.open(NET) != 0:
        C["udp_lost"] += 1
        return
    s.set_timeout(500)
    for _ in range(8):
        SEQ[0] = seq = (SEQ[0] + 1) & 0xFFFF
        size = random.randint(3, PERIOD)
        o = seq % PERIOD
        UB[0] = seq >> 8  # a sequence number, then pattern bytes
        UB[1] = seq & 255
        UB[2:size] = MTX[o:o + size - 2]
        C["udp"] += 1
        if s.sendto(ECHO, UB, size) != size:
            C["udp_lost"] += 1
            continue
        while True:
            n = s.recvfrom(SRC, MRX, PERIOD)
            if n <= 0:
                C["udp_lost"] += 1
                break
            if (RX[0] << 8 | RX[1]) != seq:
                continue  # a late or duplicated echo of an earlier datagram
            if n != size or MRX[:n] != MUB[:n] or not SRC == ECHO:
                wrong("udp seq %d (%d bytes of %d)" % (seq, n, size))
            break
    s.close()


def dns_round():
    i = random.randint(1, 12)
    err = NET.gethostbyname("h%d.dns.test" % i, ADDR)
    if err != 0:
        C["dns_err"] += 1
    elif ADDR.get_ip_address() != "10.53.0.%d" % i:
        wrong("dns h%d -> %s" % (i, ADDR.get_ip_address()))
    else:
        C["dns"] += 1


def sample(t0, rounds):
    gc.collect()
    print("@@SOAK sample %d %d %d %d %d" % (time.ticks_diff(time.ticks_ms(), t0), gc.mem_free(), STACK.sockets, rounds,
                                            C["reconnect"]))


def soak(seconds):
    ROUNDS = (tcp_round, udp_round, dns_round, tls_round) if TLS_ECHO else (tcp_round, udp_round, dns_round)
    t0 = time.ticks_ms()
    last = t0
    rounds = 0
    NET.connect()
    NET.attach(on_status)
    for r in ROUNDS:  # one of each first: everything they load lazily is loaded before the first sample
        r()
    sample(t0, rounds)
    while time.ticks_diff(time.ticks_ms(), t0) < seconds * 1000:
        ensure_up()
        ROUNDS[random.randint(0, len(ROUNDS) - 1)]()
        rounds += 1
        if time.ticks_diff(time.ticks_ms(), last) >= 3000:
            last = time.ticks_ms()
            sample(t0, rounds)
    sample(t0, rounds)
    print("@@SOAK end", " ".join("%s=%d" % kv for kv in C.items()))


soak(SECONDS)  # noqa: F821
