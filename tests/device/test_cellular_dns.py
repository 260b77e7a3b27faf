"""Name lookups over the emulated modems: netsocket's own resolver over the modem's UDP
sockets (after add_dns_server) against the dnsmasq peer, next to the modem's own lookup."""

from netsocket import SocketAddress, TCPSocket
from cellutil import use, iface, each_modem
from nsutil import addr

REQUIRES = ("cellular",)  # the runner gives these tests only to boards with a modem

OK = 0
DNS_FAILURE = -3009


@each_modem
def test_dns_resolver_over_modem_udp():
    # after add_dns_server, lookups go to netsocket's resolver over the modem's UDP sockets
    from devtest import PEERS, skip
    from netsocket import dns, NetworkStack

    if "dns" not in PEERS:
        skip("no dns peer: dnsmasq is not installed on the test host (Debian package dnsmasq-base)")
    NetworkStack._resolver = False  # the previous modem's run switched it on
    dns.reset()
    use()
    net = iface()
    a = SocketAddress()
    assert net.gethostbyname("h1.dns.test", a) == DNS_FAILURE  # the modem's own lookup does not know it
    h, p = PEERS["dns"]
    assert net.add_dns_server(SocketAddress(h, p)) == OK
    assert net.gethostbyname("h1.dns.test", a) == OK and a.get_ip_address() == "10.53.0.1", a
    n, addrs = net.getaddrinfo("h2.dns.test")
    assert n == 1 and addrs[0].get_ip_address() == "10.53.0.2", (n, addrs)
    assert net.gethostbyname("no-such-name.dns.test", a) == DNS_FAILURE
    with TCPSocket() as s:  # the resolver's UDP socket left the stack in order
        assert s.open(net) == OK and s.connect(addr("echo")) == OK
        assert s.send(b"ping") == 4
