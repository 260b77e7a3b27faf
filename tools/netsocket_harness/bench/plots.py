"""PNG figures of the benchmarks (`netsocket bench ... --plot DIR`), drawn with matplotlib.

Each function writes one file into ``out`` and returns its path; the bench that measured
the figures calls it, so a plot always shows the numbers the same run printed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)
from matplotlib.ticker import NullLocator  # noqa: E402


def _save(fig, out: Path, name: str, command: str) -> Path:
    fig.text(0.99, 0.01, command, ha="right", va="bottom", fontsize=7, color="0.4")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out.mkdir(parents=True, exist_ok=True)
    path = out / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def tcp_throughput(out: Path, sizes: list[int], ns: list[float], raw: list[float]) -> Path:
    """TCP bulk throughput (MB/s) against the size of each send, netsocket and raw."""
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(sizes, raw, "o-", label="raw MicroPython socket")
    ax.plot(sizes, ns, "s-", label="netsocket TCPSocket")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sizes, [f"{s} B" if s < 1024 else f"{s // 1024} KiB" for s in sizes])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("bytes per send")
    ax.set_ylabel("MB/s, end to end (sink acknowledges the last byte)")
    ax.set_title("TCP throughput against send size (virtual board)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return _save(fig, out, "tcp_throughput.png", "netsocket bench sockets --plot DIR")


def instructions(out: Path, labels: list[str], bytecode: list[float], native: list[float],
                 targets: list[float]) -> Path:
    """Interpreter instructions netsocket adds per call over raw, per operation and build."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = range(len(labels))
    w = 0.38
    ax.bar([i - w / 2 for i in x], bytecode, w, label="bytecode")
    ax.bar([i + w / 2 for i in x], native, w, label="native emitter (x64)")
    for i, t in enumerate(targets):
        ax.hlines(t, i - 0.45, i + 0.45, colors="k", linestyles="dashed", linewidth=1)
    ax.set_xticks(list(x), labels)
    ax.set_yscale("log")
    ax.set_ylabel("instructions added per call (callgrind)")
    ax.set_title("What netsocket adds over raw MicroPython (dashed: target)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    return _save(fig, out, "instructions.png", "netsocket bench sockets --callgrind-only --plot DIR")


def cellular(out: Path, rows: dict[str, list[tuple[int, float, float]]]) -> Path:
    """Throughput against baud rate per modem: rows = {modem: [(baud, upload B/s, download B/s)]}."""
    fig, ax = plt.subplots(figsize=(7, 4))
    bauds = sorted({b for r in rows.values() for b, _, _ in r})
    ax.plot(bauds, [b / 10 for b in bauds], "k--", label="line rate (baud / 10)")
    for model, r in rows.items():
        r = sorted(r)
        ax.plot([b for b, _, _ in r], [u for _, u, _ in r], "o-", label=f"{model} upload")
        ax.plot([b for b, _, _ in r], [d for _, _, d in r], "s:", label=f"{model} download")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(bauds, [str(b) for b in bauds])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("UART baud rate")
    ax.set_ylabel("bytes/s through TCP sockets")
    ax.set_title("Cellular throughput against baud rate (emulated modems)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, out, "cellular_throughput.png", "netsocket bench cellular --plot DIR")


def tls(out: Path, labels: list[str], ns: list[float], raw: list[float], unit: str) -> Path:
    """TLSSocket against raw ssl, side by side per workload."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = range(len(labels))
    w = 0.38
    ax.bar([i - w / 2 for i in x], raw, w, label="raw ssl over socket")
    bars = ax.bar([i + w / 2 for i in x], ns, w, label="netsocket TLSSocket")
    for b, n, r in zip(bars, ns, raw):
        ax.annotate(f"{n / r:.2f}x", (b.get_x() + b.get_width() / 2, b.get_height()), ha="center", va="bottom",
                    fontsize=8)
    ax.set_xticks(list(x), labels)
    ax.set_ylabel(unit)
    ax.set_title("TLS: netsocket against raw ssl (virtual board)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend()
    return _save(fig, out, "tls.png", "netsocket bench tls --plot DIR")
