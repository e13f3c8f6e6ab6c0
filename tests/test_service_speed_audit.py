"""Issue 12, item 4: audit entries are committed in groups (`access.audit.GroupCommit`), yet every request
is recorded, in order, on an intact chain, from several threads and several processes at once, and nothing
is lost when a process ends normally."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from baliza.access.audit import entries, record, verify
from baliza.access.state import open_state

THREADS, EACH = 24, 8


def _record_from_threads(url: str, key_home: Path, who: str) -> None:
    store = open_state(url, key_home=key_home)
    failures: list[BaseException] = []

    def one(n: int) -> None:
        try:
            for k in range(EACH):
                record(store, f"{who}{n}", "AG-1", "read_case", f"cases/C{n}-{k}", {"n": n, "k": k})
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    store.close()


def test_concurrent_requests_are_all_recorded_in_fewer_commits_on_an_intact_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    store = open_state(url)
    _record_from_threads(url, tmp_path / "state.sqlite", "user")
    logged = entries(store)
    assert [e.seq for e in logged] == list(range(1, THREADS * EACH + 1))
    assert {(e.actor, e.subject) for e in logged} == {(f"user{n}", f"cases/C{n}-{k}")
                                                      for n in range(THREADS) for k in range(EACH)}
    for n in range(THREADS):  # each thread's entries keep the order it recorded them in
        mine = [e.subject for e in logged if e.actor == f"user{n}"]
        assert mine == [f"cases/C{n}-{k}" for k in range(EACH)]
    assert verify(store) == []
    store.close()


def test_the_group_commit_batches_entries_waiting_together(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    store = open_state(url)
    record(store, "first", "AG-1", "sign_in")  # makes the store's appender
    appender = store.audit_appender
    held = threading.Event()
    original = appender._writing

    class Slow:
        """The writing lock, held a moment by the first writer so that the others queue behind it."""

        def __enter__(self) -> None:
            original.acquire()
            if not held.is_set():
                held.set()
                threading.Event().wait(0.3)

        def __exit__(self, *_: object) -> None:
            original.release()

    appender._writing = Slow()
    threads = [threading.Thread(target=record, args=(store, f"u{n}", "AG-1", "read_case", f"cases/C{n}"))
               for n in range(10)]
    before = appender.batches
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(entries(store)) == 11
    assert appender.batches - before < 10  # the ten waiting entries went in fewer commits than ten
    assert verify(store) == []
    store.close()


def test_processes_writing_at_once_chain_onto_one_log_and_lose_nothing_on_exit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    open_state(url).close()  # tables and key made once, before the writers race
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        from test_service_speed_audit import _record_from_threads
        _record_from_threads({url!r}, Path({str(tmp_path / 'state.sqlite')!r}), sys.argv[1])
    """)  # each process exits normally as soon as its threads have recorded
    writers = [subprocess.Popen([sys.executable, "-c", script, who]) for who in ("a", "b")]
    assert [w.wait(120) for w in writers] == [0, 0]
    store = open_state(url)
    logged = entries(store)
    assert [e.seq for e in logged] == list(range(1, 2 * THREADS * EACH + 1))
    assert {e.actor[0] for e in logged} == {"a", "b"}
    assert verify(store) == []
    store.close()
