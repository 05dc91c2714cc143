import gc

from hub import heap


def test_long_lived_objects_are_frozen_once_per_process(monkeypatch) -> None:
    monkeypatch.setattr(heap, "_frozen", False)
    survivor = [object()]
    heap.freeze_long_lived_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[object()] for _ in range(1000)]
    heap.freeze_long_lived_objects()
    assert gc.get_freeze_count() == frozen
    assert survivor and later
