"""bench/list_schedule_bound.py: greedy list scheduling of known costs, as the lognormal row uses it."""
import importlib.util
import os

import pytest

_path = os.path.join(os.path.dirname(__file__), "..", "..", "bench", "list_schedule_bound.py")
_spec = importlib.util.spec_from_file_location("list_schedule_bound", _path)
schedule = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(schedule)


def test_equal_costs_fill_every_worker():
    assert schedule.bound([2.0] * 32, 4) == pytest.approx(1.0)


def test_a_long_event_last_caps_the_bound():
    # 15 unit events spread over 4 workers end at 4 (one worker at 3), then the 8 starts there: 11.
    costs = [1.0] * 15 + [8.0]
    assert schedule.bound(costs, 4) == pytest.approx(23 / 4 / 11)


def test_the_same_long_event_first_is_hidden():
    costs = [8.0] + [1.0] * 15  # the other three take 5 each, then the rest: the 8 ends last
    assert schedule.bound(costs, 4) == pytest.approx(23 / 4 / 8)
