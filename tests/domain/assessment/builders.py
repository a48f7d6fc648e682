"""Small templates built in code, so a test shows exactly what it scores."""

from __future__ import annotations

import copy
import json
from typing import Any

from caseclient.domain.assessment.loader import parse_template, parse_template_text
from caseclient.domain.assessment.registry import builtin_template_texts
from caseclient.domain.assessment.template import Template

SHIPPED_FILE = "caseclient-oasys-style.v1.json"


def shipped() -> Template:
    return parse_template_text(builtin_template_texts()[SHIPPED_FILE])


def shipped_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(builtin_template_texts()[SHIPPED_FILE])
    return data


def needs_section(sid: str, weights: list[int], threshold: int, **extra: Any) -> dict[str, Any]:
    questions: list[dict[str, Any]] = [
        {"id": f"{sid}.q{i + 1}", "kind": "score", "text": f"Score {i + 1}", "mandatory": True,
         "weight": w} for i, w in enumerate(weights)]
    questions += [
        {"id": f"{sid}.harm", "kind": "yes_no", "text": "Linked to harm?", "mandatory": True},
        {"id": f"{sid}.offending", "kind": "yes_no", "text": "Linked to offending?", "mandatory": True},
    ]
    section = {"id": sid, "number": sid[1:], "title": f"Section {sid}", "kind": "needs",
               "threshold": threshold, "harm_link": f"{sid}.harm", "offending_link": f"{sid}.offending",
               "questions": questions}
    section.update(extra)
    return section


def small_template_data(version: int = 1) -> dict[str, Any]:
    """A gate question, two needs sections (one gated), and a two-group RoSH summary."""
    return {
        "template_id": "small", "version": version, "title": "Small",
        "sections": [
            {"id": "gate", "title": "Gate", "kind": "rosh_screening", "questions": [
                {"id": "gate.risk", "kind": "yes_no_unknown", "text": "Risk?", "mandatory": True},
                {"id": "gate.notes", "kind": "long_text", "text": "Notes"}]},
            needs_section("s1", [1, 2], 3),
            needs_section("s2", [1, 1, 1], 2,
                          shown_when={"question": "gate.risk", "in": ["yes", "dont_know"]}),
            {"id": "sum", "title": "Summary", "kind": "rosh_summary",
             "risk_groups": [{"id": "public", "label": "Public", "community": "sum.public.c",
                              "custody": "sum.public.k"},
                             {"id": "staff", "label": "Staff", "community": "sum.staff.c",
                              "custody": "sum.staff.k"}],
             "questions": [{"id": f"sum.{g}.{s}", "kind": "risk_level", "text": f"{g} {s}",
                            "mandatory": True}
                           for g in ("public", "staff") for s in ("c", "k")]},
        ],
    }


def small_template(version: int = 1) -> Template:
    return parse_template(small_template_data(version))


def mutated(data: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(data)
