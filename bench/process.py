"""Benchmark `toc check FILE --format json` as a whole process against a floor process.

The floor process is the least a networkx-based checker does from a cold start: start
Python, import json and networkx, parse the file, build a DiGraph with the nodes' and links'
attributes, and run one reverse breadth-first search from the outcomes. Both sides pay
process start and imports; the report of `toc check` goes to a file, as a pipe to `jq`
or a CI log would take it. Each side runs `--repeat` times, interleaved; the best is kept.

    python bench/process.py                  # 50k nodes
    python bench/process.py --size 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from check import synthetic_portfolio  # noqa: E402

FLOOR = """
import json, sys
from collections import deque
import networkx as nx
with open(sys.argv[1], "rb") as file:
    data = json.loads(file.read())
graph = nx.DiGraph()
graph.add_nodes_from((node["id"], node) for node in data["nodes"])
graph.add_edges_from((link["from"], link["to"], link) for link in data["links"])
outcomes = [node["id"] for node in data["nodes"] if node["kind"] == "outcome"]
seen = set(outcomes)
queue = deque(outcomes)
pred = graph._pred
while queue:
    for other in pred[queue.popleft()]:
        if other not in seen:
            seen.add(other)
            queue.append(other)
print(len(seen))
"""

# What a `toc check` process has loaded when it is done; none of these may be among them.
PROBE = """
import sys
from toc.cli import main
with open(sys.argv[2], "w") as out:
    sys.stdout = out
    main(["check", sys.argv[1], "--format", "json"])
sys.stdout = sys.__stdout__
heavy = ("networkx", "fastapi", "starlette", "sqlalchemy", "sqlmodel", "pyvis", "numpy", "scipy")
print(sorted(name for name in heavy if name in sys.modules))
"""


def run(command: list[str], output: Path) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one run of `command`."""
    with output.open("wb") as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, stdout=out, check=False)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "portfolio.json"
        document = synthetic_portfolio(args.size)
        path.write_text(json.dumps(document), encoding="utf-8")
        out = Path(folder) / "out"
        check = [sys.executable, "-m", "toc.cli", "check", str(path), "--format", "json"]
        floor = [sys.executable, "-c", FLOOR, str(path)]
        floors, checks = [], []
        for _ in range(args.repeat):
            floors.append(run(floor, out))
            checks.append(run(check, out))
        findings = len(json.loads(out.read_bytes())["findings"])
        loaded = subprocess.run(
            [sys.executable, "-c", PROBE, str(path), str(out)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    print(f"nodes {args.size}, links {len(document['links'])}, findings {findings}")
    print(f"{'best of ' + str(args.repeat):<48} {'wall s':>8} {'cpu s':>8}")
    for label, runs in (
        ("floor process (json, networkx, reverse BFS)", floors),
        ("toc check FILE --format json", checks),
    ):
        print(f"{label:<48} {min(w for w, _ in runs):>8.3f} {min(c for _, c in runs):>8.3f}")
    wall = min(w for w, _ in checks) / min(w for w, _ in floors)
    cpu = min(c for _, c in checks) / min(c for _, c in floors)
    print(f"{'ratio':<48} {wall:>8.2f} {cpu:>8.2f}")
    print(f"heavy modules loaded by toc check: {loaded}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
