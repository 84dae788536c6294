"""The turn committer's queue for SQLite's write lock, and the serving process's GIL switch interval."""

from __future__ import annotations

import sys
import threading
import time

from asistente.app import tune_serving_process
from asistente.calls import commit
from asistente.db import make_engine, make_session_factory
from asistente.settings import Settings


def test_the_queue_lock_is_a_file_next_to_a_sqlite_file_only(tmp_path):
    def path_of(url):
        with make_session_factory(make_engine(url))() as session:
            return commit._queue_path(session)

    assert path_of(f"sqlite:///{tmp_path / 'calls.db'}") == f"{tmp_path / 'calls.db'}-turns.lock"
    assert path_of("sqlite://") is None
    assert path_of("sqlite:///:memory:") is None


def test_writers_queue_one_at_a_time_in_arrival_order(tmp_path):
    factory = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'calls.db'}"))
    inside: list[str] = []
    order: list[tuple[str, list[str]]] = []

    def writer(name: str, hold: float) -> None:
        with factory() as session, commit._writers_queue(session):
            order.append((name, list(inside)))  # who else was inside when this one got in
            inside.append(name)
            time.sleep(hold)
            inside.remove(name)

    first = threading.Thread(target=writer, args=("first", 0.2))
    first.start()
    time.sleep(0.05)
    second = threading.Thread(target=writer, args=("second", 0.0))
    second.start()
    first.join()
    second.join()
    assert order == [("first", []), ("second", [])]
    assert (tmp_path / "calls.db-turns.lock").exists()


def test_a_serving_process_switches_the_gil_every_half_millisecond():
    before = sys.getswitchinterval()
    try:
        tune_serving_process(Settings())
        assert abs(sys.getswitchinterval() - 0.0005) < 1e-9
        tune_serving_process(Settings(gil_switch_ms=5))
        assert abs(sys.getswitchinterval() - 0.005) < 1e-9
    finally:
        sys.setswitchinterval(before)
