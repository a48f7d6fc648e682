"""docs/assessment-template.md states the shipped weights and thresholds; keep it true."""

from __future__ import annotations

import re
from pathlib import Path

from caseclient.domain.assessment.template import SectionKind
from tests.domain.assessment.builders import shipped

DOC = Path(__file__).resolve().parents[3] / "docs" / "assessment-template.md"
ROW = re.compile(r"^\| (\d+\. [^|]+) \| ([^|]+) \| (\d+) \| (\d+) \|$")


def test_weights_and_thresholds_table_matches_the_template() -> None:
    rows = {}
    for line in DOC.read_text("utf-8").splitlines():
        match = ROW.match(line)
        if match:
            heading, questions, most, threshold = match.groups()
            weights = {}
            for part in questions.split(", "):
                qid, _, weight = part.partition(" ×")
                weights[qid.strip("`")] = int(weight or 1)
            rows[heading] = (weights, int(most), int(threshold))
    expected = {s.heading: ({q.id: q.weight for q in s.questions if q.scored}, s.max_weighted, s.threshold)
                for s in shipped().sections if s.kind is SectionKind.NEEDS}
    assert rows == expected


def test_doc_says_predictors_are_not_calculated_and_weights_are_the_projects_own() -> None:
    text = DOC.read_text("utf-8")
    assert "Not calculated" in text and "not cited in\nthis repository" in text
    assert "**not** the official OASys questions, weights or thresholds" in text
