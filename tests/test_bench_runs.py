"""scripts/bench works: the quick mode runs in-process, prints one table, writes the JSON.

No timing is asserted here (speed lives in benchmarks/); only that the machinery runs
and reports every row it promises.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from benchmarks import autosave
from benchmarks.__main__ import REGISTERED, load, main


def test_every_registered_benchmark_exposes_run() -> None:
    assert "autosave" in REGISTERED
    assert callable(load("autosave"))


def test_quick_autosave_prints_the_table_and_writes_json(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "QUICK_SAVES", 12)
    out, log = io.StringIO(), io.StringIO()
    assert main(["--quick", "--out", str(tmp_path), "autosave"], out=out, log=log) == 0
    [saved] = list(tmp_path.glob("*-quick.json"))
    rows = json.loads(saved.read_text("utf-8"))
    assert [r["measure"] for r in rows] == ["autosave save_draft p50 (12 saves)",
                                            "autosave save_draft p99 (12 saves)",
                                            "autosave save_draft p99, first 2 saves (notes ≤ 0 KiB)",
                                            "autosave notes size at the last save"]
    p99 = rows[1]
    assert p99["figure"] > 0 and p99["reference"] > 0 and p99["target"] == "≤ 2×"
    assert p99["ratio"] == pytest.approx(p99["figure"] / p99["reference"])
    assert rows[3]["figure"] > 0 and rows[3]["unit"] == "KiB"
    table = out.getvalue()
    assert table.splitlines()[0].startswith("measure") and "autosave save_draft p99" in table
    assert f"saved {saved}" in table
    assert "failed" not in log.getvalue()


def test_an_unknown_benchmark_is_refused_in_plain_words(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--out", str(tmp_path), "no-such-bench"])
    assert stopped.value.code == 2
    assert "no benchmark called no-such-bench" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
