"""One report pipeline: a stored model's findings and scorecard, checked once per version and day.

`report(session, workspace_id, model_id, as_of)` is the only way the API, the pages, the map,
the handout and the cached-check fast path get a stored model's findings and scorecard. It
answers a `Checked`: the model at its current version, the engine's graph, the `Report` and
its JSON text (what `GET …/check` sends, byte for byte).

- **Cached by (model, version, day)**: in this process (the last few `Checked`, whole), and
  in the store (the JSON text, one row per model: what `api/hotpath.py` serves before
  routing). Only today's check date (`services.clock`) is cached; a report as of another day
  is computed for its caller and kept nowhere.
- **Single-flight**: callers asking for the same (model, version, day) at once share one
  computation; the others wait for it rather than start their own.
- **After a write**: the store notes each version a write makes; once its transaction
  commits, the version is queued for one background worker that checks it (outside the
  write's own time) and keeps its findings counts in the history. The queued version is
  registered as in flight at commit, so a page drawn right after a save waits for that one
  computation instead of starting another. Versions' counts are never computed by a reader.
"""

from __future__ import annotations

import datetime
import json
import logging
import queue
import threading
import weakref
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from services import clock, store
from services.errors import NotFound
from services.models import get_model
from toc import formats
from toc.graph import ChainGraph, build_graph
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import Kind, TheoryOfChange
from toc.report import Report
from toc.report import check as core_check

__all__ = [
    "Checked",
    "report",
    "settle",
    "check_document",
    "check",
    "report_json",
    "get_report",
    "scorecard",
    "chains",
    "version_counts",
    "count_later",
]

log = logging.getLogger(__name__)
KEPT = 8  # the `Checked` kept whole in this process, most recently used first


@dataclass(frozen=True)
class Checked:
    """A stored model checked: the model at `version`, its graph, the report and its JSON."""

    model_id: str
    version: int
    as_of: datetime.date
    model: TheoryOfChange
    graph: ChainGraph
    report: Report
    text: str  # the report's JSON text, as `GET …/check` sends it and the store keeps it

    @property
    def counts(self) -> tuple[int, int, int]:
        """(errors, warnings, infos)."""
        found = self.report.metrics["findings"]
        return found["error"], found["warning"], found["info"]


def check(model: TheoryOfChange, as_of: datetime.date, graph: ChainGraph | None = None) -> Report:
    """The core's check of a model as of a day: the one call of it the services make."""
    return core_check(model, as_of=as_of, graph=graph)


def check_document(
    document: Any, limits: Limits = DEFAULT_LIMITS, as_of: datetime.date | None = None
) -> dict[str, Any]:
    """Check a toc/1 document without storing it; raises `DocumentRejected` if it is invalid."""
    return check(formats.read(document, limits=limits), as_of or clock.today()).to_dict()


# -- the pipeline -------------------------------------------------------------------------

# workspace, model id, when the model was made (a model deleted and made again under its id
# starts again at version 1), version, check date
_Key = tuple[int, str, datetime.datetime, int, datetime.date]


class _Pipeline:
    """One store's reports in this process: those kept, those being computed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kept: OrderedDict[_Key, Checked] = OrderedDict()
        self.running: dict[_Key, Future[Checked | None]] = {}

    def kept_or_running(self, key: _Key) -> tuple[Checked | None, Future[Checked | None], bool]:
        """(the kept report, or else the computation to wait for or to run, whether ours)."""
        with self.lock:
            found = self.kept.get(key)
            if found is not None:
                self.kept.move_to_end(key)
                return found, Future(), False
            running = self.running.get(key)
            if running is not None:
                return None, running, False
            running = self.running[key] = Future()
            return None, running, True

    def claim(self, key: _Key) -> Future[Checked | None] | None:
        """Register a computation of `key` for the background (None if kept or running)."""
        with self.lock:
            if key in self.kept or key in self.running:
                return None
            running = self.running[key] = Future()
            return running

    def done(self, key: _Key, running: Future[Checked | None], result: Checked | None) -> None:
        with self.lock:
            if result is not None:
                self.kept[key] = result
                self.kept.move_to_end(key)
                while len(self.kept) > KEPT:
                    self.kept.popitem(last=False)
            self.running.pop(key, None)
        running.set_result(result)

    def failed(self, key: _Key, running: Future[Checked | None], error: BaseException) -> None:
        with self.lock:
            self.running.pop(key, None)
        running.set_exception(error)


_pipelines: weakref.WeakKeyDictionary[Engine, _Pipeline] = weakref.WeakKeyDictionary()
_pipelines_lock = threading.Lock()


def _pipeline(engine: Engine) -> _Pipeline:
    with _pipelines_lock:
        found = _pipelines.get(engine)
        if found is None:
            found = _pipelines[engine] = _Pipeline()
        return found


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def _compute(
    session: Session, workspace_id: int, model_id: str, version: int, day: datetime.date
) -> Checked | None:
    """Check the model at `version`, as of `day`, and keep its JSON in the store; None when
    the model is at another version by now."""
    store.begin_read(session)  # the model is read in one consistent snapshot
    row = store.model_row(session, workspace_id, model_id)
    if row.version != version:
        return None
    assert row.id is not None
    model = store.load_model(session, row)
    graph = build_graph(model, as_of=day)
    found = check(model, day, graph)
    text = store.dumps(found.to_dict())
    store.upsert_report(session, row.id, version, day.isoformat(), text)
    return Checked(model_id, version, day, model, graph, found, text)


def report(
    session: Session,
    workspace_id: int,
    model_id: str,
    as_of: datetime.date | None = None,
) -> Checked:
    """The model's report at its current version as of `as_of` (default: today, UTC).

    Today's is computed once per version (in this process, whoever asks first or the
    background after a write; the others wait for it) and kept; another day's is computed
    for this caller alone.
    """
    today = clock.today()
    day = as_of or today
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    if day != today:
        model = store.load_model(session, row)
        graph = build_graph(model, as_of=day)
        found = check(model, day, graph)
        return Checked(
            model_id, row.version, day, model, graph, found, store.dumps(found.to_dict())
        )
    pipeline = _pipeline(_engine(session))
    while True:
        key = (workspace_id, model_id, _made(row.created_at), row.version, day)
        kept, running, ours = pipeline.kept_or_running(key)
        if kept is not None:
            return kept
        if not ours:
            result = running.result()
            if result is not None:
                return result
        else:
            try:
                result = _compute(session, workspace_id, model_id, row.version, day)
            except BaseException as error:
                pipeline.failed(key, running, error)
                raise
            pipeline.done(key, running, result)
            if result is not None:
                return result
        # The model moved on while we waited: ask again for the version it is at now.
        store.begin_read(session)
        row = store.model_row(session, workspace_id, model_id)


def report_json(
    session: Session, workspace_id: int, model_id: str, as_of: datetime.date | None = None
) -> tuple[str, int]:
    """The model's check report as JSON text (§3 shape), and the version it is for.

    Today's report is read from the store when it is there for the current version (one
    query, no model read: what a second process finds after the first computed it).
    """
    today = clock.today()
    if as_of is None or as_of == today:
        _, version, cached = store.cached_report(session, workspace_id, model_id, today.isoformat())
        if cached is not None:
            return cached, version
    checked = report(session, workspace_id, model_id, as_of)
    return checked.text, checked.version


def get_report(
    session: Session, workspace_id: int, model_id: str, as_of: datetime.date | None = None
) -> tuple[dict[str, Any], int]:
    """The model's check report `{"findings", "metrics", "inferred", "initiatives", "as_of"}`,
    and its version."""
    text, version = report_json(session, workspace_id, model_id, as_of)
    found: dict[str, Any] = json.loads(text)
    return found, version


def scorecard(
    session: Session, workspace_id: int, model_id: str, as_of: datetime.date | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The model's scorecard (the report's `initiatives`), and the version it is for."""
    found, version = get_report(session, workspace_id, model_id, as_of)
    rows: list[dict[str, Any]] = found["initiatives"]
    return rows, version


def chains(
    session: Session, workspace_id: int, model_id: str, initiative: str
) -> tuple[dict[str, Any], int]:
    """The subgraph of an initiative's chains: `{"initiative", "nodes", "links"}`.

    `nodes` and `links` are the toc/1 objects that lie on the chains, in document order.
    """
    model, version = get_model(session, workspace_id, model_id)
    nodes = model.node_index()
    if initiative not in nodes or nodes[initiative].kind is not Kind.INITIATIVE:
        raise NotFound("initiative", initiative, model_id)
    found = build_graph(model, as_of=clock.today()).chains_of(initiative)
    on_nodes, on_links = set(found.nodes), set(found.links)

    def canonical(item: Any) -> dict[str, Any]:
        return dict(item.model_dump(mode="json", by_alias=True, exclude_none=True))

    return {
        "initiative": initiative,
        "nodes": [canonical(n) for n in model.nodes if n.id in on_nodes],
        "links": [canonical(link) for link in model.links if link.key in on_links],
    }, version


# -- after a write: the new version checked in the background ------------------------------


def version_counts(text: str, at: datetime.datetime) -> tuple[int, int, int]:
    """A version's findings counts: a check of its document as of the day it was written."""
    found = check(formats.read(json.loads(text)), at.date()).metrics["findings"]
    return found["error"], found["warning"], found["info"]


def _made(at: datetime.datetime) -> datetime.datetime:
    """A model's creation time as a key: the same whether the store kept its zone or not."""
    return (
        at.replace(tzinfo=None)
        if at.tzinfo is None
        else at.astimezone(datetime.UTC).replace(tzinfo=None)
    )


@dataclass(frozen=True)
class _Job:
    engine: Engine
    workspace_id: int
    model_id: str
    model_pk: int
    made: datetime.datetime
    version: int
    day: datetime.date
    running: Future[Checked | None] | None


class _Worker:
    """One thread that checks the versions writes make, newest first."""

    def __init__(self) -> None:
        self.jobs: queue.LifoQueue[_Job] = queue.LifoQueue()
        self.idle = threading.Condition()
        self.pending = 0
        self.thread: threading.Thread | None = None

    def put(self, job: _Job) -> None:
        with self.idle:
            self.pending += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="toc-reports", daemon=True)
                self.thread.start()
        self.jobs.put(job)

    def settle(self, timeout: float | None = None) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.pending == 0, timeout)

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                _check_version(job)
                if job.version == 1:
                    store.analyze_items(job.engine)
            except Exception:  # a background check must never take the worker down
                log.exception("checking version %s of %s", job.version, job.model_id)
            finally:
                with _queued_lock:
                    _queued.discard((job.engine, job.model_pk, job.version))
                with self.idle:
                    self.pending -= 1
                    self.idle.notify_all()


_worker = _Worker()


def settle(timeout: float | None = 60.0) -> bool:
    """Wait until every version written so far has been checked (tests, benchmarks, exit)."""
    return _worker.settle(timeout)


def _check_version(job: _Job) -> None:
    pipeline = _pipeline(job.engine)
    key = (job.workspace_id, job.model_id, job.made, job.version, job.day)
    with Session(job.engine) as session:
        checked: Checked | None = None
        if job.running is not None:
            try:
                checked = _compute(session, job.workspace_id, job.model_id, job.version, job.day)
            except BaseException as error:
                pipeline.failed(key, job.running, error)
                if isinstance(error, NotFound):
                    return  # the model was deleted meanwhile
                raise
            pipeline.done(key, job.running, checked)
        if checked is not None:
            counts = checked.counts
        else:  # the model moved on (or was kept already): check the version as written
            try:
                found = store.version_row(session, job.model_pk, job.model_id, job.version)
            except NotFound:
                return
            if found.errors is not None:
                return
            text = store.version_text(session, job.model_pk, job.model_id, job.version)
            counts = version_counts(text, found.at)
        store.set_version_counts(session, job.model_pk, job.version, counts)


# (store, model key, version) whose counts a queued or running job will keep
_queued: set[tuple[Engine, int, int]] = set()
_queued_lock = threading.Lock()


def count_later(session: Session, workspace_id: int, model_id: str, versions: list[int]) -> None:
    """Have the background count the findings of versions listed without them (a store an
    earlier toc made, a server stopped before its checks ran): the lister never computes."""
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    assert row.id is not None
    engine = _engine(session)
    for version in versions:
        with _queued_lock:
            if (engine, row.id, version) in _queued:
                continue
            _queued.add((engine, row.id, version))
        job = _Job(
            engine,
            workspace_id,
            model_id,
            row.id,
            _made(row.created_at),
            version,
            clock.today(),
            None,
        )
        _worker.put(job)


def _after_commit(session: Session) -> None:
    written: list[store.Written] = session.info.pop(store.WRITTEN, [])
    if not written:
        return
    engine = _engine(session)
    pipeline = _pipeline(engine)
    day = clock.today()
    for workspace_id, model_id, model_pk, created_at, version in written:
        made = _made(created_at)
        with _queued_lock:
            # This job keeps the version's counts: a lister asking meanwhile queues no other.
            _queued.add((engine, model_pk, version))
        running = pipeline.claim((workspace_id, model_id, made, version, day))
        job = _Job(engine, workspace_id, model_id, model_pk, made, version, day, running)
        _worker.put(job)


def _after_rollback(session: Session) -> None:
    session.info.pop(store.WRITTEN, None)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_soft_rollback", lambda session, _previous: _after_rollback(session))
