"""Benchmark `toc check` on synthetic statewide portfolios against the floor, in one process.

The floor is the least any checker must do: parse the JSON, build the networkx graph and run
one reverse breadth-first search from the outcomes. `toc check` is timed the way the CLI
runs it on a JSON file's bytes: read and validate the document, build the check engine, run
every check, write the JSON report. Peak memory (of both) is measured in a separate, untimed
pass (tracemalloc slows what it watches).

    python bench/check.py                 # 1k, 10k and 100k nodes
    python bench/check.py --sizes 1000 --repeat 5
    python bench/check.py --sizes 100000 --parts   # where the time of one check goes
    python bench/check.py --clock cpu     # this process's CPU time: steadier on a busy machine
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import random
import statistics
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from functools import cached_property
from typing import Any

import networkx as nx

from toc.checks.catalogue import all_checks
from toc.engine import Engine
from toc.reading import read_document, read_fast
from toc.report import check
from toc.standing import scorecard

LEVELS = ("system", "teacher", "student")
# Wall-clock time by default; `--clock cpu` times this process's CPU alone, which on a machine
# shared with other work moves far less than the wall clock does.
CLOCK = time.perf_counter
AS_OF = datetime.date(2026, 6, 30)  # any fixed day: the synthetic portfolio has no dates


def synthetic_portfolio(size: int, seed: int = 7) -> dict[str, Any]:
    """A mature statewide portfolio: 2% initiatives, about two links per node, mostly downhill.

    Nodes are laid out in layers (initiatives, system changes, teacher changes, student
    changes, outcomes); most links go one or two layers down, a few go sideways or back up
    (so there are loops and level inversions), a few are `-`; most carry a because, evidence
    and assumptions, and half the nodes carry indicators of every kind. Findings are the
    exceptions, as in a portfolio a team has worked on, not one finding per link.
    """
    rng = random.Random(seed)
    initiatives = max(2, size // 50)
    outcomes = max(1, size // 20)
    middle = size - initiatives - outcomes
    layers: list[list[dict[str, Any]]] = [[], [], [], [], []]
    for index in range(initiatives):
        layers[0].append({"id": f"i{index}", "level": "system", "kind": "initiative"})
    for index in range(middle):
        layer = 1 + index % 3
        level = LEVELS[layer - 1]
        layers[layer].append({"id": f"c{index}", "level": level, "kind": "change"})
    for index in range(outcomes):
        layers[4].append({"id": f"o{index}", "level": "student", "kind": "outcome"})
    indicator_names = [
        "Number of teachers trained",
        "Coaching sessions logged",
        "Change in share of lessons with student discourse",
        "Walkthrough checklist completed",
        "State assessment proficiency",
        "Weekly reflection",
    ]
    nodes = []
    for layer in layers:
        for node in layer:
            node["title"] = f"{node['kind'].title()} {node['id']}"
            if rng.random() < 0.9:
                node["function"] = "Keeps cognitive demand high"
            if rng.random() < 0.5:
                node["form"] = "Teachers meet weekly"
            if rng.random() < 0.5:
                node["indicators"] = [{"name": rng.choice(indicator_names)}]
            if rng.random() < 0.01:
                node["status"] = "retired"
            nodes.append(node)
    links = []
    seen: set[tuple[str, str]] = set()

    def add(source: str, target: str) -> None:
        if source == target or (source, target) in seen:
            return
        seen.add((source, target))
        link: dict[str, Any] = {"from": source, "to": target}
        if rng.random() < 0.95:
            link["because"] = "Enacted practice shifts mental models"
        if rng.random() < 0.9:
            link["evidence"] = [{"citation": "Study", "tier": rng.randint(1, 4)}]
        if rng.random() < 0.85:
            link["assumptions"] = ["Time is protected"]
        if rng.random() < 0.03:
            link["polarity"] = "-"
        if rng.random() < 0.02:
            link["type"] = "feedback"
        links.append(link)

    # Every node below the initiatives is caused by a node or two of the layer above (or,
    # now and then, two above), so initiatives fan out to the changes they fund.
    for layer in range(1, 5):
        for node in layers[layer]:
            for _ in range(1 if rng.random() < 0.9 else 2):
                roll = rng.random()
                if roll < 0.9:
                    above = layer - 1
                elif roll < 0.97:
                    above = max(0, layer - 2)
                else:
                    above = min(4, layer + 1) if layer < 4 else layer  # sideways or back up
                add(rng.choice(layers[above])["id"], node["id"])
    # ... and every node above the outcomes causes at least one node of the layer below.
    for layer in range(0, 4):
        for node in layers[layer]:
            add(node["id"], rng.choice(layers[layer + 1])["id"])
    return {
        "format": "toc/1",
        "id": "statewide",
        "title": "Statewide",
        "nodes": nodes,
        "links": links,
    }


def floor(text: bytes) -> int:
    """Parse, build the graph, one reverse breadth-first search from the outcomes."""
    data = json.loads(text)
    graph = nx.DiGraph()
    graph.add_nodes_from(node["id"] for node in data["nodes"])
    graph.add_edges_from((link["from"], link["to"]) for link in data["links"])
    outcomes = [node["id"] for node in data["nodes"] if node["kind"] == "outcome"]
    seen = set(outcomes)
    queue = deque(outcomes)
    pred = graph._pred
    while queue:
        for other in pred[queue.popleft()]:
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return len(seen)


def toc_check(text: bytes) -> int:
    """What `toc check FILE --format json` does, minus printing and reading the file."""
    return len(check(read_document(text), as_of=AS_OF).to_json())


def best_time(function: Callable[[bytes], Any], text: bytes, repeat: int) -> float:
    """The best of `repeat` runs, each with the cyclic collector off, as `toc check` runs.

    Both the floor and `toc check` are timed this way, so the ratio compares the work and
    not the collector; garbage is collected between runs, outside the timing.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = CLOCK()
            function(text)
            times.append(CLOCK() - start)
        finally:
            gc.enable()
    return min(times) if repeat > 2 else statistics.mean(times)


def peak_memory(function: Callable[[bytes], Any], text: bytes) -> int:
    gc.collect()
    tracemalloc.start()
    function(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _searches(engine: Engine) -> None:
    # Every derived set the checks share is a cached property of the engine: computing them
    # all on a fresh engine is the shared search work.
    for name, member in vars(Engine).items():
        if isinstance(member, cached_property):
            getattr(engine, name)


def _own_passes(engine: Engine) -> int:
    # A check's own analysis is kept on the engine for the scorecard and the checks that
    # share it: forget them, so each timed run computes them again.
    engine.analyses.clear()
    return sum(len(list(check(engine))) for check in all_checks())


def print_parts(text: bytes, repeat: int, floor_s: float) -> None:
    """Time each stage of one `toc check` on its own, against the floor of the same run.

    Each stage is given the previous stages' results, prepared outside its timing.
    """
    document = read_fast(text)
    assert document is not None, "the synthetic portfolio is valid"
    ends = document.link_ends  # type: ignore[attr-defined]
    engine = Engine(document, as_of=AS_OF, link_ends=ends)
    _searches(engine)
    report = check(document, as_of=AS_OF)
    build_s = best_time(lambda _: Engine(document, as_of=AS_OF, link_ends=ends), text, repeat)
    # The searches need an engine of their own, as they are cached on it; its build is taken out.
    searches_s = (
        best_time(lambda _: _searches(Engine(document, as_of=AS_OF, link_ends=ends)), text, repeat)
        - build_s
    )
    own_s = best_time(lambda _: _own_passes(engine), text, repeat)
    # The rows read the analyses the checks have just left on the engine.
    scorecard_s = best_time(lambda _: scorecard(engine, report.findings), text, repeat)
    stages = [
        ("read and validate (msgspec, cross-item rules)", best_time(read_fast, text, repeat)),
        ("build the engine (indices, adjacency, flags)", build_s),
        ("shared searches (every derived set)", searches_s),
        (
            "checks' own passes (with their searches)",
            own_s,
        ),
        ("the scorecard rows (from the checks' analyses)", scorecard_s),
        (
            "  findings, metrics, inferred (the rest)",
            max(
                0.0,
                best_time(lambda _: check(document, as_of=AS_OF), text, repeat)
                - own_s
                - scorecard_s
                - build_s
                - searches_s,
            ),
        ),
        ("write the JSON report (msgspec)", best_time(lambda _: report.to_json(), text, repeat)),
    ]
    print(f"\n{'stage of toc check':<48} {'s':>7} {'x floor':>8}")
    for label, seconds in stages:
        print(f"{label:<48} {seconds:>7.3f} {seconds / floor_s:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--parts", action="store_true", help="also time each stage of a check against the floor"
    )
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"clock: {args.clock}")
    print(
        f"{'nodes':>8} {'links':>8} {'floor s':>9} {'check s':>9} {'ratio':>6} "
        f"{'findings':>9} {'peak MiB':>9} {'floor MiB':>9}"
    )
    for size in args.sizes:
        document = synthetic_portfolio(size)
        text = json.dumps(document).encode("utf-8")
        floor_s = best_time(floor, text, args.repeat)
        check_s = best_time(toc_check, text, args.repeat)
        findings = len(check(read_document(text), as_of=AS_OF).findings)
        peak = "-" if args.no_memory else f"{peak_memory(toc_check, text) / 2**20:.0f}"
        floor_peak = "-" if args.no_memory else f"{peak_memory(floor, text) / 2**20:.0f}"
        print(
            f"{size:>8} {len(document['links']):>8} {floor_s:>9.3f} {check_s:>9.3f} "
            f"{check_s / floor_s:>6.2f} {findings:>9} {peak:>9} {floor_peak:>9}"
        )
        if args.parts:
            print_parts(text, args.repeat, floor_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
