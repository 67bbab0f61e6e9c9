"""assistant.runtime.heap: what is alive when a model is loaded leaves the garbage collector's sight."""
from __future__ import annotations

import gc

from assistant.runtime.heap import freeze_heap


def test_freeze_heap_moves_live_objects_out_of_collections_and_collection_still_works():
    kept = [[index] for index in range(1000)]
    try:
        freeze_heap("test model")
        assert gc.get_freeze_count() >= len(kept)
        cycle = []
        cycle.append(cycle)  # garbage made after the freeze is still collected
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
