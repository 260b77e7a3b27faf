# DTLS echo peer. Runs under MicroPython's unix port (its mbedTLS has DTLS; CPython's ssl has
# none), started by peers.tls.DTLSEchoPeer: argv = cert.der key.der host port.
# One client session at a time; a session ends after IDLE_S without a datagram.
import socket
import sys
import tls

IDLE_S = 0.5
cert_file, key_file, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(cert_file, "rb") as f:
    cert = f.read()
with open(key_file, "rb") as f:
    key = f.read()
ctx = tls.SSLContext(tls.PROTOCOL_DTLS_SERVER)
ctx.load_cert_chain(cert, key)
where = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0][-1]


def bound():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(where)
    return s


s = bound()
print("ready")
while True:
    s.settimeout(None)
    _, client = s.recvfrom(1, socket.MSG_PEEK)
    s.connect(client)
    s.settimeout(IDLE_S)
    try:  # the first ClientHello gets a HelloVerifyRequest; the client comes back with the cookie
        ss = ctx.wrap_socket(s, server_side=True, client_id=bytes(client))
    except (OSError, ValueError):
        nxt = bound()
        s.close()
        s = nxt
        continue
    try:
        while True:
            data = ss.recv(2048)
            if not data:
                break
            ss.write(data)
    except (OSError, ValueError):
        pass
    nxt = bound()
    ss.close()
    s = nxt
