"""`netsocket bench ... --plot DIR`: each figure is written as a PNG (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

from netsocket_harness.bench import plots

PNG = b"\x89PNG\r\n\x1a\n"


def test_every_plot_is_a_png(tmp_path: Path) -> None:
    paths = [
        plots.tcp_throughput(tmp_path, [64, 1024, 16384], [10.0, 200.0, 900.0], [20.0, 400.0, 1000.0]),
        plots.instructions(tmp_path, ["send", "recv"], [2000.0, 1800.0], [1500.0, 1400.0], [1200.0, 1200.0]),
        plots.cellular(tmp_path, {"bg96": [(115200, 11000.0, 11100.0), (921600, 89000.0, 90000.0)]}),
        plots.tls(tmp_path, ["upload", "echo"], [5000.0, 9000.0], [5100.0, 9500.0], "KiB/s"),
    ]
    assert [p.name for p in paths] == ["tcp_throughput.png", "instructions.png", "cellular_throughput.png", "tls.png"]
    for p in paths:
        assert p.read_bytes()[:8] == PNG and p.stat().st_size > 5000
