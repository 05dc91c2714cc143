import gc

import pytest

from hub.sync import heap


@pytest.fixture
def unfrozen(monkeypatch):
    """A process as if no sync had run yet; the collector's thresholds are put back after."""
    monkeypatch.setattr(heap, "_frozen", False)
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)


def test_long_lived_objects_are_frozen_once_per_process(unfrozen) -> None:
    survivor = [object()]
    heap.freeze_long_lived_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[object()] for _ in range(1000)]
    heap.freeze_long_lived_objects()
    assert gc.get_freeze_count() == frozen
    assert survivor and later


def test_the_youngest_generation_is_collected_less_often(unfrozen) -> None:
    gc.set_threshold(700, 10, 10)
    heap.freeze_long_lived_objects()
    assert gc.get_threshold() == (heap.YOUNG_THRESHOLD, 10, 10)


def test_a_higher_young_threshold_is_kept(unfrozen) -> None:
    gc.set_threshold(50_000, 20, 5)
    heap.freeze_long_lived_objects()
    assert gc.get_threshold() == (50_000, 20, 5)
