"""One row of the benchmark table, and how the table is printed and saved."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchRow:
    """A measured figure beside the reference measured in the same run.

    ``target_ratio`` and/or ``target_abs`` are upper bounds (the figure is a cost:
    lower is better); a row with neither is informational.
    """

    measure: str
    figure: float
    unit: str
    reference: float | None = None
    reference_label: str = ""
    target_ratio: float | None = None
    target_abs: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference <= 0:
            return None
        return self.figure / self.reference

    @property
    def passed(self) -> bool | None:
        checks: list[bool] = []
        if self.target_ratio is not None and self.ratio is not None:
            checks.append(self.ratio <= self.target_ratio)
        if self.target_abs is not None:
            checks.append(self.figure <= self.target_abs)
        return all(checks) if checks else None

    @property
    def target(self) -> str:
        parts = []
        if self.target_ratio is not None:
            parts.append(f"≤ {self.target_ratio:g}×")
        if self.target_abs is not None:
            parts.append(f"≤ {self.target_abs:.3g} {self.unit}")
        return ", ".join(parts) or "—"


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0..1) by nearest rank."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def render(rows: Sequence[BenchRow]) -> str:
    header = ("measure", "figure", "reference", "ratio", "target", "result")
    lines = [header]
    for row in rows:
        ref = "—" if row.reference is None else f"{row.reference:.3g} {row.unit} ({row.reference_label})"
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        result = {True: "pass", False: "FAIL", None: "info"}[row.passed]
        lines.append((row.measure, f"{row.figure:.3g} {row.unit}", ref, ratio, row.target, result))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def save_json(rows: Sequence[BenchRow], path: Path) -> None:
    data = [dict(asdict(row), ratio=row.ratio, passed=row.passed, target=row.target)
            for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
