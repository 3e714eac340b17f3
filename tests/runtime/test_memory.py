"""When the garbage collector runs (workbook.runtime.memory)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest

from workbook.runtime.memory import frozen_heap, no_collections, settle_heap


@pytest.mark.parametrize(("resident", "collected"), [(150.0, False), (320.0, True), (None, True)])
def test_render_garbage_is_frozen_in_a_small_heap_and_collected_in_a_large_one(resident, collected):
    code = f"""
import gc
import workbook.runtime.memory as b
b.resident_mb = lambda: {resident!r}
class Cycle:
    pass
garbage = Cycle(); garbage.me = garbage; del garbage  # unreachable, in a cycle
collections = []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(info))
gc.disable()
b.drop_render_garbage()
print(len(collections) > 0, gc.get_freeze_count() > 0)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(collected), "True"]


def test_between_builds_the_watcher_collects_and_sets_survivors_aside():
    class Cycle:
        pass

    kept = Cycle()
    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    del garbage  # unreachable, in a cycle: only the collector frees it
    try:
        settle_heap()
        assert gone() is None
        assert gc.get_freeze_count() > 0 and kept is not None
        kept.me = kept  # garbage only now, among the frozen objects
        last = weakref.ref(kept)
        del kept
        settle_heap()  # unfreezes first, so it is collected all the same
        assert last() is None
    finally:
        gc.unfreeze()


def test_no_collections_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_collections():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()  # a caller that had switched it off keeps it off
    try:
        with no_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_frozen_heap_leaves_a_heap_frozen_by_the_caller_as_it_was():
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with frozen_heap():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
