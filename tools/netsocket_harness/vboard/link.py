"""A virtual board's own link: a network namespace joined to the host by a veth pair, and its faults.

`create` makes, for one board, a namespace ``<prefix><id>`` holding the board's end
of a veth pair (``<ns>b``, address ``.2`` of a free /30 in 10.215.0.0/16, default
route to the host end) and the host end ``<ns>h`` (address ``.1``, where the test
peers listen). The prefix is ``$NETSOCKET_NETNS_PREFIX`` (default ``nsvb``), the id
a hash of the board's directory, so boards never share names. Everything is
removed by `destroy`, and a leftover of a killed board by the next `create`.

How each fault is made (this kernel has no netem; every fault applies both ways):

- ``loss``: an nftables netdev ingress rule ``numgen random mod 10000 < p``
  on the receiving device of each direction: each frame is dropped
  independently with probability p (what netem's ``loss`` does);
- ``rate``: a tc ``tbf`` qdisc on the sending veth end of each direction;
- ``delay``, ``jitter``, ``reorder``, ``duplicate``: while any is set, a tc
  ingress filter redirects IPv4 frames arriving on each veth end to a TAP
  device on that side; the board's supervisor reads them, holds each for
  ``delay`` ± ``jitter`` ms one way (uniform), sends ``reorder`` % of them at
  once, writes ``duplicate`` % twice, then writes them into that TAP, which
  hands them to the stack as received (relay.py). ARP passes untouched;
- ``down``/``up``: the host end goes administratively down/up; the board's
  end then has no carrier (as when its cable is pulled).
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import HarnessError

SUBNET = ipaddress.ip_network("10.215.0.0/16")
_LOCK = Path("/tmp/netsocket-links.lock")
_FAULTS = ("loss", "delay", "jitter", "reorder", "duplicate", "rate", "down")


@dataclass
class Faults:
    """The link's faults; percentages and milliseconds, rate as tc writes it ('1mbit'), '' = none."""

    loss: float = 0.0
    delay: float = 0.0
    jitter: float = 0.0
    reorder: float = 0.0
    duplicate: float = 0.0
    rate: str = ""
    down: bool = False

    @property
    def relayed(self) -> bool:
        return bool(self.delay or self.jitter or self.reorder or self.duplicate)

    def describe(self) -> str:
        parts = [f"{k} {v}{'%' if k in ('loss', 'reorder', 'duplicate') else 'ms' if k in ('delay', 'jitter') else ''}"
                 for k, v in asdict(self).items() if v and k != "down"]
        return ("down" if self.down else "up") + (", " + ", ".join(parts) if parts else ", no faults")


@dataclass
class Link:
    netns: str
    host_dev: str  # veth end in the host's namespace
    board_dev: str  # veth end in the board's namespace
    host_tap: str  # TAPs of the delay relay, one per side
    board_tap: str
    host_ip: str
    board_ip: str
    prefixlen: int = 30
    faults: Faults = field(default_factory=Faults)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Link":
        return cls(**{**d, "faults": Faults(**d.get("faults", {}))})

    @property
    def netmask(self) -> str:
        return str(ipaddress.ip_network(f"0.0.0.0/{self.prefixlen}").netmask)


def _run(*argv: str, netns: str | None = None, check: bool = True, input: str | None = None) -> str:
    cmd = ["ip", "netns", "exec", netns, *argv] if netns else list(argv)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=30)
    except FileNotFoundError:
        raise HarnessError(f"{argv[0]} is not installed (Debian: iproute2, nftables; tools/dev.sh installs them)") from None
    if check and r.returncode != 0:
        msg = (r.stderr.strip() or r.stdout.strip()).splitlines()
        raise HarnessError(f"{' '.join(argv[:4])}: {msg[-1] if msg else f'exit status {r.returncode}'}")
    return r.stdout


def names(home: str) -> tuple[str, str, str, str, str]:
    """netns, host veth, board veth, host TAP, board TAP of the board living in `home` (<= 15 characters)."""
    prefix = os.environ.get("NETSOCKET_NETNS_PREFIX", "nsvb")[:5]
    ns = prefix + hashlib.sha1(os.path.realpath(home).encode()).hexdigest()[:7]
    return ns, ns + "h", ns + "b", ns + "th", ns + "tb"


def check_root() -> None:
    if os.geteuid() != 0:
        raise HarnessError("a board on its own link (--netns) needs root: network namespaces, veth, nftables and tc")


def _free_subnet() -> ipaddress.IPv4Network:
    used = set()
    for line in _run("ip", "-4", "-o", "addr", "show").splitlines():
        for word in line.split():
            if "/" in word and word[0].isdigit():
                net = ipaddress.ip_interface(word).network
                if net.overlaps(SUBNET):
                    used.add(net.supernet(new_prefix=30) if net.prefixlen > 30 else net)
    for net in SUBNET.subnets(new_prefix=30):
        if net not in used:
            return net
    raise HarnessError(f"no free /30 left in {SUBNET} for another board link")


def create(home: str) -> Link:
    """The namespace, veth pair and addresses of the board in `home` (a leftover of it is removed first)."""
    check_root()
    ns, hdev, bdev, htap, btap = names(home)
    destroy_names(ns, hdev)
    with open(_LOCK, "a") as lock:  # one free subnet per board, across every developer's boards
        fcntl.flock(lock, fcntl.LOCK_EX)
        net = _free_subnet()
        host_ip, board_ip = (str(a) for a in list(net.hosts())[:2])
        _run("ip", "netns", "add", ns)
        try:
            _run("ip", "link", "add", hdev, "type", "veth", "peer", "name", bdev, "netns", ns)
            _run("ip", "addr", "add", f"{host_ip}/30", "dev", hdev)
            # one MTU-sized frame per packet (no TSO/GSO super-frames), so loss, rate and delay act on frames
            _run("ip", "link", "set", hdev, "gso_max_segs", "1", "gso_max_size", "1500", "up")
        except HarnessError:
            destroy_names(ns, hdev)
            raise
    for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", f"{board_ip}/30", "dev", bdev],
                ["ip", "link", "set", bdev, "gso_max_segs", "1", "gso_max_size", "1500", "up"], ["ip", "route", "add", "default", "via", host_ip]):
        _run(*cmd, netns=ns)
    # a socket blocked on a link that stays down errs after ~6 s of retransmissions, not the kernel's 15 min
    _run("sysctl", "-q", "-w", "net.ipv4.tcp_retries2=4", netns=ns)
    return Link(ns, hdev, bdev, htap, btap, host_ip, board_ip)


def destroy_names(ns: str, hdev: str) -> None:
    # deleting the namespace deletes the board's veth end, and with it the host's
    _run("nft", "delete", "table", "netdev", ns, check=False)
    _run("ip", "link", "del", hdev, check=False)
    _run("ip", "netns", "del", ns, check=False)


def destroy(link: Link) -> None:
    destroy_names(link.netns, link.host_dev)


def mac(dev: str, netns: str | None = None) -> str:
    return _run("cat", f"/sys/class/net/{dev}/address", netns=netns).strip()


def _nft(link: Link, netns: str | None, devices: tuple[str, str], loss: float) -> None:
    """The loss rules of one side: its veth end and its TAP (frames arrive through one of them)."""
    name = link.netns
    script = f"table netdev {name}\ndelete table netdev {name}\ntable netdev {name} {{\n"
    for i, dev in enumerate(devices):
        script += f"  chain in{i} {{ type filter hook ingress device \"{dev}\" priority 0; policy accept;\n"
        if loss >= 100:
            script += "    counter drop\n"
        elif loss:
            script += f"    numgen random mod 10000 < {round(loss * 100)} counter drop\n"
        script += "  }\n"
    script += "}\n"
    _run("nft", "-f", "-", netns=netns, input=script)


def _tc(link: Link, dev: str, tap: str, netns: str | None) -> None:
    f = link.faults
    _run("tc", "qdisc", "del", "dev", dev, "root", netns=netns, check=False)
    if f.rate:
        # a bucket of at least one full frame (and 10 ms at the rate), queue up to 1 s
        _run("tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", f.rate, "burst", "16kb", "latency", "1s",
             netns=netns)
    _run("tc", "qdisc", "del", "dev", dev, "ingress", netns=netns, check=False)
    if f.relayed:
        _run("tc", "qdisc", "add", "dev", dev, "ingress", netns=netns)
        _run("tc", "filter", "add", "dev", dev, "ingress", "protocol", "ip", "u32", "match", "u32", "0", "0",
             "action", "mirred", "egress", "redirect", "dev", tap, netns=netns)


def apply(link: Link) -> None:
    """Make the kernel side of `link.faults` (loss, rate, the relay's redirects, down/up)."""
    f = link.faults
    if not 0 <= f.loss <= 100 or not 0 <= f.reorder <= 100 or not 0 <= f.duplicate <= 100:
        raise HarnessError("loss, reorder and duplicate are percentages (0..100)")
    if f.delay < 0 or f.jitter < 0:
        raise HarnessError("delay and jitter are milliseconds >= 0")
    _nft(link, None, (link.host_dev, link.host_tap), f.loss)
    _nft(link, link.netns, (link.board_dev, link.board_tap), f.loss)
    _tc(link, link.host_dev, link.host_tap, None)
    _tc(link, link.board_dev, link.board_tap, link.netns)
    _run("ip", "link", "set", link.host_dev, "down" if f.down else "up")


def parse_faults(current: Faults, **given: object) -> Faults:
    """`current` with the given knobs replaced ('5%' and '50ms' accepted); an unknown knob is an error."""
    out = Faults(**asdict(current))
    for key, value in given.items():
        if key not in _FAULTS:
            raise HarnessError(f"unknown link fault {key!r} (known: {', '.join(_FAULTS)})")
        if value is None:
            continue
        if key == "rate":
            text = str(value).strip()
            if text and (not text[0].isdigit() or not text.rstrip("bitkmgBKMGps").replace(".", "").isdigit()):
                raise HarnessError(f"rate {text!r}: give it as tc does, e.g. 1mbit, 500kbit")
            setattr(out, key, "" if text in ("0", "") else text)
        elif key == "down":
            out.down = bool(value)
        else:
            text = str(value).strip().removesuffix("%").removesuffix("ms")
            try:
                setattr(out, key, float(text))
            except ValueError:
                raise HarnessError(f"{key} {value!r}: not a number") from None
    return out
