"""Issue 12, item 4: a load's results stay out of the garbage collector's walks (`web.context.settle_heap`).

Walking millions of long-lived result objects on every full collection held the interpreter for 0.3-0.9 s
on the medium country, about once a second under load: every request in flight waited.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

from baliza.web.app import create_app
from baliza.web.results import results_of
from web_world import build_web_world


class _Cyclic:
    """Garbage that only the cycle collector frees (it refers to itself)."""

    me: Any = None


def test_a_computation_collects_old_garbage_and_freezes_its_results(tmp_path: Path) -> None:
    world = build_web_world(tmp_path)
    app = create_app(world.db, state_url=world.state_url, precompute=True)
    ctx = app.state.baliza
    gc.disable()  # no automatic collection: only the computation's own may free the cycle
    try:
        cycle = _Cyclic()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        frozen = gc.get_freeze_count()
        ctx.warm_up()
        ctx.wait_for_refresh(120)
        assert ctx.refresh.refreshes == 1 and ctx.refresh.error == ""
        assert gone() is None  # collected when the results were settled
        assert gc.get_freeze_count() > frozen
        results = results_of(ctx)
        assert gc.is_tracked(results)
        assert not any(o is results for o in gc.get_objects())  # frozen: in no generation a collection walks
    finally:
        gc.enable()
        gc.unfreeze()  # leave the other tests' objects to the collector as usual
        ctx.close()
