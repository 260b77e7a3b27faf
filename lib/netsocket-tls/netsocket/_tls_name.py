"""TLSSocketWrapper.set_verify_chain_only(): Mbed's check without set_hostname, done soundly.

Mbed (mbedTLS 2) given no host name verifies the server's certificate chain and accepts any
name in it. MicroPython's tls cannot verify a chain without a name (CERT_REQUIRED needs
server_hostname), so this first learns the name the server's certificate carries (a
handshake that verifies nothing and only reads the certificate), then connects the
transport again and does the real handshake with that name: chain, dates and name are all
checked, and any name the trusted chain vouches for is accepted, as in Mbed. It costs a
second connection and handshake, and needs a wrapper that connects its transport.

``cert_name`` is plain Python (tests/host/test_tls_name.py runs it under CPython).
"""


def _tlv(d, i):
    # DER element at i -> (tag, start of its value, end of its value)
    n = d[i + 1]
    j = i + 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(d[j : j + k], "big")
        j += k
    return d[i], j, j + n


def cert_name(der):
    """The first DNS name of a DER certificate's subjectAltName, else its subject CN; or None."""
    d = memoryview(der)
    _, i, _ = _tlv(d, 0)  # Certificate
    _, i, end = _tlv(d, i)  # tbsCertificate
    if d[i] == 0xA0:  # [0] version
        i = _tlv(d, i)[2]
    parts = []
    while i < end:
        parts.append(_tlv(d, i))
        i = parts[-1][2]
    # serial, signature, issuer, validity, subject, subjectPublicKeyInfo, then [1] [2] [3]
    for t, a, b in parts[6:]:
        if t != 0xA3:  # [3] extensions
            continue
        _, a, b = _tlv(d, a)
        while a < b:
            _, x, a = _tlv(d, a)  # Extension: extnID, [critical], extnValue
            _, o, x = _tlv(d, x)
            if bytes(d[o:x]) != b"\x55\x1d\x11":  # subjectAltName 2.5.29.17
                continue
            t, u, v = _tlv(d, x)
            if t == 0x01:  # critical
                t, u, v = _tlv(d, v)
            _, x, y = _tlv(d, u)  # GeneralNames
            while x < y:
                t, u, x = _tlv(d, x)
                if t == 0x82:  # dNSName
                    return bytes(d[u:x]).decode()
    _, a, b = parts[4]  # subject: SET { SEQUENCE { OID, value } } ...
    while a < b:
        _, x, y = _tlv(d, a)
        a = y
        _, x, _ = _tlv(d, x)
        if bytes(d[x : x + 5]) == b"\x06\x03\x55\x04\x03":  # commonName
            _, u, v = _tlv(d, x + 5)
            return bytes(d[u:v]).decode()
    return None


def learn(w, addr, port):
    """Set ``w._host`` to the name in the server's certificate, and connect the transport again."""
    from .tls import tls, _Bio, HANDSHAKE_MS, TRANSPORT_CONNECT_AND_CLOSE, TRANSPORT_CONNECT

    t = w._t
    if w._dgram or addr is None or w._ctl not in (TRANSPORT_CONNECT_AND_CLOSE, TRANSPORT_CONNECT):
        return -3002  # UNSUPPORTED: it must connect the transport a second time
    got = []
    c = tls.SSLContext(w._proto)
    c.verify_mode = tls.CERT_OPTIONAL  # read the certificate, trust nothing: the name only

    def keep(cert, depth):
        if depth == 0:
            got.append(bytes(cert))
        return 0

    c.verify_callback = keep
    bio = _Bio(t, False)
    to = w._timeout
    bio.start(to if to else HANDSHAKE_MS, False)
    try:
        c.wrap_socket(bio, server_hostname=None).close()
    except Exception:
        pass  # the certificate came before any later failure
    c = None
    try:
        name = cert_name(got[0]) if got else None
    except Exception:
        name = None
    if not name:
        return -3011  # AUTH_FAILURE
    st = t._stack
    t.close()
    err = t.open(st) or (t.connect(addr) if port is None else t.connect(addr, port))
    if err:
        return err
    w._host = name
    return 0
