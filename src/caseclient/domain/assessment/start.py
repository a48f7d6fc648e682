"""Start a new assessment: which template version, what it replaces, what it copies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caseclient.domain.assessment.copy_forward import copy_forward, last_locked
from caseclient.domain.assessment.template import Template
from caseclient.domain.assessment.workflow import UNFINISHED, status_of, supersede
from caseclient.domain.canonical import JSONValue
from caseclient.domain.records import Officer
from caseclient.domain.schema import AssessmentStatus


@dataclass(frozen=True)
class NewAssessment:
    fields: dict[str, JSONValue]                    # the new record's fields
    superseded: dict[str, dict[str, JSONValue]]     # older record id → changes that close it
    copied_from: str | None                         # id of the locked assessment copied


def start_assessment(template: Template, *, case_id: str, officer: Officer, today: dt.date,
                     existing: Iterable[tuple[str, Mapping[str, JSONValue]]] = (),
                     copy_from_last: bool = True) -> NewAssessment:
    """Fields for a new open assessment on ``template`` (normally the latest version).

    ``existing`` are the case's other assessments as (id, fields). Every unfinished
    one is closed as superseded (the newest unfinished is named in ``supersedes``);
    answers are copied from the last locked one when ``copy_from_last``.
    """
    records = list(existing)
    fields: dict[str, JSONValue] = {
        "case_id": case_id, "template_id": template.template_id,
        "template_version": template.version, "status": AssessmentStatus.OPEN.value,
        "assessor_code": officer.staff_code, "started_on": today.isoformat(),
    }
    unfinished = [(rid, f) for rid, f in records if status_of(f) in UNFINISHED]
    superseded = {rid: supersede(f).changes for rid, f in unfinished}
    if unfinished:
        newest = max(unfinished, key=lambda item: (str(item[1].get("started_on") or ""), item[0]))
        fields["supersedes"] = newest[0]
    copied_from = None
    source = last_locked(records) if copy_from_last else None
    if source is not None:
        copied_from = source[0]
        fields.update(copy_forward(template, source[1]).as_changes())
    return NewAssessment(fields, superseded, copied_from)
