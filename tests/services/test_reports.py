"""One report pipeline: each (model, version, day) checked once, whoever asks and however many.

The services are called directly on a fresh store, SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services import clock, history, items, models, reports, store
from toc.document import parse_document
from toc.report import Report

M = "milford-hqi"


class Counting:
    """Stands in for the core's check, counting calls (and holding them while `gate` is shut)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[int | None, datetime.date]] = []
        self.gate = threading.Event()
        self.gate.set()
        self._check = reports.check
        monkeypatch.setattr(reports, "check", self)

    def __call__(self, model: Any, as_of: datetime.date, graph: Any = None) -> Report:
        self.calls.append((len(model.nodes), as_of))
        self.gate.wait(10)
        time.sleep(0.05)  # long enough for concurrent callers to meet
        return self._check(model, as_of, graph)


@pytest.fixture
def stored(session: Session, workspace: int, document: dict[str, Any]) -> int:
    models.create_model(session, workspace, parse_document(document))
    assert reports.settle()
    return workspace


def test_concurrent_callers_share_one_check(
    engine: Engine, stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    counting.gate.clear()  # hold the check the write starts…
    with Session(engine) as session:
        items.patch_item(session, stored, M, items.NODE, "hqi-live", {"title": "New"})
    answers: list[reports.Checked] = []

    def ask() -> None:
        with Session(engine) as session:
            answers.append(reports.report(session, stored, M))

    askers = [threading.Thread(target=ask) for _ in range(4)]
    for asker in askers:
        asker.start()
    time.sleep(0.2)
    counting.gate.set()  # …while four readers ask for the same version
    for asker in askers:
        asker.join(10)
    assert reports.settle()
    assert len(answers) == 4 and {a.version for a in answers} == {2}
    assert len(counting.calls) == 1  # the background's, which the readers waited for
    assert all(a is answers[0] for a in answers)


def test_a_write_is_checked_once_after_it_commits_and_its_counts_kept(
    session: Session, stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    monkeypatch.setattr(history, "WAIT_FOR_COUNTS_S", 0.0)
    counting.gate.clear()
    items.patch_item(session, stored, M, items.NODE, "hqi-live", {"title": "New"})
    listed, _ = history.list_versions(session, stored, M)
    assert listed[0].version == 2 and listed[0].to_dict()["findings"] is None  # not yet
    counting.gate.set()
    assert reports.settle()
    checked = reports.report(session, stored, M)  # the page after the save
    assert checked.version == 2
    listed, _ = history.list_versions(session, stored, M)
    assert listed[0].to_dict()["findings"] == checked.report.metrics["findings"]
    assert len(counting.calls) == 1  # the background's check, and no other
    # what the hot path serves: the pipeline's own bytes, stored for this version and today
    _, version, text = store.cached_report(session, stored, M, clock.today().isoformat())
    assert (version, text) == (2, checked.text)


def test_a_version_listed_while_its_check_waits_in_the_queue_is_checked_once(
    session: Session, stored: int, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = parse_document({**document, "id": "other-plan"})
    models.create_model(session, stored, other)
    assert reports.settle()
    counting = Counting(monkeypatch)
    monkeypatch.setattr(history, "WAIT_FOR_COUNTS_S", 0.0)
    counting.gate.clear()
    # The background is busy with another model's write…
    items.patch_item(session, stored, "other-plan", items.NODE, "hqi-live", {"title": "Busy"})
    # …when this write's check is queued and its version listed (no counts yet).
    items.patch_item(session, stored, M, items.NODE, "hqi-live", {"title": "New"})
    listed, _ = history.list_versions(session, stored, M)
    assert listed[0].version == 2 and listed[0].to_dict()["findings"] is None
    counting.gate.set()
    assert reports.settle()
    assert len(counting.calls) == 2  # each write's version once: the listing queued nothing
    listed, _ = history.list_versions(session, stored, M)
    assert listed[0].to_dict()["findings"] is not None


def test_only_todays_report_is_kept(
    session: Session, stored: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = Counting(monkeypatch)
    reports.report(session, stored, M)
    reports.report(session, stored, M)
    assert counting.calls == []  # checked after the model was stored, kept since
    earlier = clock.today() - datetime.timedelta(days=400)
    first = reports.report(session, stored, M, earlier)
    second = reports.report(session, stored, M, earlier)
    assert [day for _, day in counting.calls] == [earlier, earlier]
    assert first.report.as_of == earlier and first.text == second.text
    # the stored report stays today's
    _, _, text = store.cached_report(session, stored, M, clock.today().isoformat())
    assert text == reports.report(session, stored, M).text


def test_a_model_made_again_under_its_id_is_not_served_the_old_report(
    session: Session, stored: int, document: dict[str, Any]
) -> None:
    before = reports.report(session, stored, M)
    models.delete_model(session, stored, M)
    document["nodes"] = document["nodes"][:1]
    document["links"] = []
    models.create_model(session, stored, parse_document(document))
    assert reports.settle()
    after = reports.report(session, stored, M)
    assert (before.version, after.version) == (1, 1)
    assert len(after.model.nodes) == 1 and after.text != before.text
