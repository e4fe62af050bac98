"""Benchmark `toc portfolio` on a synthetic state and its districts against the floor.

A state model and N district models of 100-500 nodes each (200 districts: about 60k nodes),
every district carrying out some state initiatives and rolling most of its changes and outcomes
up into the state's. The floor is the least any portfolio checker must do: read every file,
build one networkx graph with the nodes' attributes (reference links included), and run one
reverse breadth-first search from the outcomes. `toc portfolio` is timed as the CLI runs it on
the files' bytes: read and validate every document, build one engine, run every check, the
scorecard and the take-up, write the JSON report. Peak memory is measured in a separate,
untimed pass.

    python bench/portfolio.py                    # 20 and 200 districts
    python bench/portfolio.py --districts 200 --repeat 3
    python bench/portfolio.py --clock cpu        # steadier on a busy machine
    python bench/portfolio.py --api --districts 20   # cached GET /portfolio vs a trivial route
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

# The project first (bench/api.py is no `api`), then bench/ itself for bench/check.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.append(str(Path(__file__).resolve().parent))

from check import synthetic_portfolio  # noqa: E402  (bench/check.py: one model's generator)

from toc.portfolio import read_portfolio  # noqa: E402

CLOCK = time.perf_counter
Files = list[tuple[str, bytes]]


def synthetic_state_and_districts(districts: int, seed: int = 11) -> Files:
    """The state's plan (1,000 nodes) and `districts` district plans of 100-500 nodes each."""
    rng = random.Random(seed)
    state = synthetic_portfolio(1000, seed=seed)
    state.update(id="state", title="State plan", scope="state", org="SEA")
    live = [node for node in state["nodes"] if node.get("status") != "retired"]
    state_initiatives = [n["id"] for n in live if n["kind"] == "initiative"]
    by_level: dict[str, list[str]] = {}
    for node in live:
        if node["kind"] != "initiative":
            by_level.setdefault(node["level"], []).append(node["id"])
    for node in state["nodes"]:
        if node["kind"] == "initiative":
            node["eligible"] = [f"d{d:04d}" for d in range(districts) if rng.random() < 0.6]
    files = [("state.json", json.dumps(state).encode())]
    for number in range(districts):
        district = synthetic_portfolio(rng.randint(100, 500), seed=seed + 1 + number)
        name = f"district-{number:04d}"
        district.update(id=name, title=f"District {number}", scope="district", org=f"d{number:04d}")
        for node in district["nodes"]:
            if node.get("status") == "retired":
                continue
            if node["kind"] == "initiative" and rng.random() < 0.7:
                node["realizes"] = [f"state:{rng.choice(state_initiatives)}"]
                node["cost"] = 1000
                node["funding"] = [
                    {"source": node["realizes"][0], "amount": 600},
                    {"source": "local", "amount": 400},
                ]
            elif node["kind"] != "initiative" and rng.random() < 0.3:
                node["realizes"] = [f"state:{rng.choice(by_level[node['level']])}"]
        files.append((f"{name}.json", json.dumps(district).encode()))
    return files


def floor(files: Files) -> int:
    """Read every file, one networkx graph with attributes, one reverse search from outcomes.

    Every file is parsed first and kept while the graph is built, as bench/check.py's floor
    keeps its one document: the graph's attributes come from them.
    """
    graph = nx.DiGraph()
    outcomes = []
    parsed = [json.loads(text) for _, text in files]
    for data in parsed:
        prefix = data["id"] + ":"
        graph.add_nodes_from(
            (prefix + n["id"], {"kind": n["kind"], "level": n["level"], "title": n["title"]})
            for n in data["nodes"]
        )
        graph.add_edges_from(
            (prefix + link["from"], prefix + link["to"], {"polarity": link.get("polarity", "+")})
            for link in data["links"]
        )
        for node in data["nodes"]:
            if node["kind"] == "outcome":
                outcomes.append(prefix + node["id"])
            for reference in node.get("realizes", ()):
                if node["kind"] == "initiative":
                    graph.add_edge(reference, prefix + node["id"])
                else:
                    graph.add_edge(prefix + node["id"], reference)
    seen = set(outcomes)
    queue = deque(outcomes)
    pred = graph._pred
    while queue:
        for other in pred[queue.popleft()]:
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return len(seen)


def toc_portfolio(files: Files) -> int:
    """What `toc portfolio FILES --format json` does, minus reading the files and printing."""
    return len(read_portfolio(files).to_json())


def best_time(function: Callable[[Files], Any], files: Files, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = CLOCK()
            function(files)
            times.append(CLOCK() - start)
        finally:
            gc.enable()
    return min(times)


def peak_memory(function: Callable[[Files], Any], files: Files) -> int:
    gc.collect()
    tracemalloc.start()
    function(files)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench_api(count: int, requests: int) -> None:
    """A cached `GET /api/v1/portfolio` against a trivial route of the same app answering the
    same bytes (no token, no query), each the median of `requests`, interleaved."""
    import statistics
    import tempfile

    from fastapi import Response
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app.main import create_app
    from services.auth import create_token
    from services.config import Settings

    files = synthetic_state_and_districts(count)
    folder = Path(tempfile.mkdtemp())
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'bench.db'}"))
    same: dict[str, bytes] = {}

    @app.get("/trivial")
    def trivial() -> Response:
        return Response(same["json"], media_type="application/json")

    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "bench", "editor")
        headers = {"Authorization": f"Bearer {token}"}
        for _, text in files:
            client.post(
                "/api/v1/models",
                content=text,
                headers={**headers, "Content-Type": "application/json"},
            ).raise_for_status()
        start = time.perf_counter()
        first = client.get("/api/v1/portfolio", headers=headers)
        cold = time.perf_counter() - start
        first.raise_for_status()
        same["json"] = first.content
        ours, bare = [], []
        for _ in range(requests):
            start = time.perf_counter()
            client.get("/api/v1/portfolio", headers=headers).raise_for_status()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            client.get("/trivial").raise_for_status()
            bare.append(time.perf_counter() - start)
    cached, trivial_s = statistics.median(ours), statistics.median(bare)
    print(
        f"GET /portfolio of {len(files)} models ({len(same['json']) / 2**20:.1f} MiB): "
        f"cold {cold:.3f} s, cached {cached * 1000:.1f} ms, trivial route with the same bytes "
        f"{trivial_s * 1000:.1f} ms, ratio {cached / trivial_s:.2f}"
    )


def main() -> int:
    global CLOCK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--api", action="store_true", help="time the cached GET /portfolio")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if args.api:
        for count in args.districts:
            bench_api(count, args.requests)
        return 0
    if args.clock == "cpu":
        CLOCK = time.process_time
    print(
        f"{'models':>7} {'nodes':>7} {'refs':>6} {'floor s':>8} {'toc s':>8} {'ratio':>6} "
        f"{'us/node':>8} {'findings':>9} {'toc MiB':>8} {'floor MiB':>9} {'mem x':>6}"
    )
    for count in args.districts:
        files = synthetic_state_and_districts(count)
        nodes = refs = 0
        for _, text in files:
            data = json.loads(text)
            nodes += len(data["nodes"])
            refs += sum(len(n.get("realizes", ())) for n in data["nodes"])
        floor_s = best_time(floor, files, args.repeat)
        toc_s = best_time(toc_portfolio, files, args.repeat)
        report = read_portfolio(files)
        memory = ""
        if not args.no_memory:
            mine, base = peak_memory(toc_portfolio, files), peak_memory(floor, files)
            memory = f"{mine / 2**20:>8.0f} {base / 2**20:>9.0f} {mine / base:>6.2f}"
        print(
            f"{len(files):>7} {nodes:>7} {refs:>6} {floor_s:>8.3f} {toc_s:>8.3f} "
            f"{toc_s / floor_s:>6.2f} {toc_s / nodes * 1e6:>8.1f} {len(report.findings):>9} "
            + memory
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
