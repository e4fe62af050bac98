"""Benchmark the spreadsheet formats: XLSX against the CSV zip, and what each reader costs in
memory beyond reading the same model as toc/1 JSON.

Two questions (issue 23, issue 18):

1. Time: a 10,000-node model (bench/check.py's synthetic portfolio) written and read as XLSX,
   against the same as a CSV zip; the target is XLSX within 3x of CSV.
2. Memory: for each reader, the peak RSS of a fresh process that reads the file, minus the
   peak RSS of one that reads the same model as JSON, divided by the model's items (nodes +
   links + indicators + evidence + observations); the target is under 1 KB per item. The 200k
   case is 200,000 nodes and 200,000 links, as the issue's CSV zip was.

    python bench/formats.py                       # 10k time, 10k and 200k memory
    python bench/formats.py --time-sizes 1000 --memory-sizes 10000
    python bench/formats.py --clock wall          # wall-clock time rather than CPU time

Times are this process's CPU time by default: on a machine shared with other work the wall
clock moves far more than the work does (as in bench/check.py's `--clock cpu`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from check import synthetic_portfolio  # noqa: E402

from toc.document import parse_document  # noqa: E402
from toc.formats import read, write  # noqa: E402
from toc.model import TheoryOfChange  # noqa: E402

# A child process reads one file and prints its peak RSS in KiB: VmHWM, the high-water mark of
# its own memory (ru_maxrss would not do: Linux keeps it across exec, so a child started by
# this process would report this process's peak).
_CHILD = """
import gc, sys
from pathlib import Path
from toc.formats import read_path
gc.disable()  # as the CLI reads: toc check turns the collector off
model = read_path(Path(sys.argv[1]))
assert model.nodes
status = Path("/proc/self/status").read_text()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
"""


def items(model: TheoryOfChange) -> int:
    """Nodes, links, indicators, evidence entries and observations: what a reader builds."""
    count = len(model.nodes) + len(model.links)
    for node in model.nodes:
        count += len(node.indicators) + sum(len(i.observations) for i in node.indicators)
    return count + sum(len(link.evidence) for link in model.links)


def model_of(size: int, links: int | None = None) -> TheoryOfChange:
    document = synthetic_portfolio(size)
    if links is not None:
        # The shape: as many links as nodes.
        document["links"] = document["links"][:links]
    return parse_document(document)


CLOCK = time.process_time


def best(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = CLOCK()
        function()
        times.append(CLOCK() - start)
    return min(times)


def time_formats(size: int, repeat: int) -> None:
    model = model_of(size)
    print(f"\n{size:,}-node model ({len(model.links):,} links, {items(model):,} items)")
    print(f"{'format':<8}{'write s':>10}{'read s':>10}{'bytes':>14}   ({CLOCK.__name__})")
    figures: dict[str, tuple[float, float]] = {}
    for fmt in ("json", "csv", "xlsx"):
        data = write(model, fmt)
        assert read(data, fmt) == model
        written = best(lambda fmt=fmt: write(model, fmt), repeat)
        read_s = best(lambda fmt=fmt, data=data: read(data, fmt), repeat)
        figures[fmt] = (written, read_s)
        print(f"{fmt:<8}{written:>10.2f}{read_s:>10.2f}{len(data):>14,}")
    (xw, xr), (cw, cr) = figures["xlsx"], figures["csv"]
    print(
        f"XLSX / CSV zip: write {xw / cw:.2f}x, read {xr / cr:.2f}x, "
        f"write + read {(xw + xr) / (cw + cr):.2f}x (target <= 3x)"
    )


def peak_kib(path: Path) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip().splitlines()[-1])


def memory(size: int, links: int | None) -> None:
    model = model_of(size, links)
    count = items(model)
    print(f"\n{len(model.nodes):,} nodes, {len(model.links):,} links: {count:,} items")
    print(f"{'reader':<8}{'peak MiB':>10}{'extra MiB':>11}{'bytes/item':>12}")
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for fmt, suffix in (("json", ".json"), ("csv", ".zip"), ("xlsx", ".xlsx")):
            paths[fmt] = Path(folder) / f"model{suffix}"
            paths[fmt].write_bytes(write(model, fmt))
        del model
        base = peak_kib(paths["json"])
        print(f"{'json':<8}{base / 1024:>10.0f}{'':>11}{'':>12}")
        for fmt in ("csv", "xlsx"):
            peak = peak_kib(paths[fmt])
            extra = (peak - base) * 1024
            print(
                f"{fmt:<8}{peak / 1024:>10.0f}{extra / 2**20:>11.0f}{extra / count:>12.0f}"
                f"   (target < 1,024)"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[10_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    for size in args.time_sizes:
        time_formats(size, args.repeat)
    for size in args.memory_sizes:
        memory(size, size if size >= 200_000 else None)
    print(json.dumps({"python": sys.version.split()[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
