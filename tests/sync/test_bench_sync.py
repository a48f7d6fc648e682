"""benchmarks/sync.py runs end to end in quick mode (tiny sizes; no timing asserted here)."""

from __future__ import annotations

from benchmarks import sync as bench


def test_quick_sync_bench_reports_its_four_figures() -> None:
    rows = bench.run(quick=True)
    assert [row.measure.split(" ")[0] for row in rows] == ["first", "push", "no-op", "longest"]
    first, push, _noop, _stall = rows
    assert first.reference is not None and first.reference > 0
    assert "50 queued mutations" in push.measure
    assert all(row.figure >= 0 for row in rows)
