"""Rules the server holds whatever a client sends: who may change what, locked
assessments, the sensitive flag, the assessment workflow and field checks."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from caseclient.domain.assessment.workflow import UNFINISHED, WORKFLOW_FIELDS, check_edit
from caseclient.domain.canonical import JSONValue
from caseclient.domain.schema import AssessmentStatus, FieldError, check_fields
from caseserver.officers import Officer
from caseserver.records import StoredRecord

NO_SUCH_RECORD = "No such record on your caseload."
NO_SUCH_CASE = "No such case on your caseload."
READ_ONLY = "You can read this case, but only its managing officer can change it."
SPO_REVIEW_FIELDS = frozenset({"status", "return_comments", "countersigned_by", "countersigned_at",
                               "review_marks"})
STATUSES = frozenset(status.value for status in AssessmentStatus)


class Role(Enum):
    NONE = "none"        # not on the caller's caseload: answered as if it did not exist
    READER = "reader"    # an SPO of the managing officer's team
    OWNER = "owner"      # the managing officer


def field_problems(record_type: str, fields: Mapping[str, JSONValue], *, partial: bool) -> str | None:
    errors: list[FieldError] = check_fields(record_type, fields, partial=partial, from_client=True)
    if not errors:
        return None
    return "Some fields are not right: " + "; ".join(
        f"fields.{error.field}: {error.message}" for error in errors)


def write_permission(role: Role, officer: Officer, *, record_type: str, op: str,
                     current: StoredRecord | None, fields: Mapping[str, JSONValue]) -> str | None:
    if role is Role.OWNER:
        return None
    if role is Role.NONE:
        return NO_SUCH_RECORD
    # A reader's change that changes nothing (e.g. a level the server already set) is harmless.
    if op == "update" and current is not None and fields \
            and all(current.fields.get(name) == value for name, value in fields.items()):
        return None
    # A team SPO may only countersign or return a signed assessment.
    if (record_type == "assessment" and op == "update" and current is not None and officer.is_spo
            and current.fields.get("status") == AssessmentStatus.SIGNED.value
            and fields.get("status") in (AssessmentStatus.LOCKED.value, AssessmentStatus.RETURNED.value)
            and set(fields) <= SPO_REVIEW_FIELDS):
        return None
    return READ_ONLY


def record_rules(current: StoredRecord | None, fields: Mapping[str, JSONValue],
                 parent_field: str | None) -> str | None:
    """Rules on the change itself, judged against the current record (None for a create)."""
    old = current.fields if current is not None else {}
    if current is not None and parent_field and parent_field in fields \
            and fields[parent_field] != old.get(parent_field):
        return "A record cannot be moved to another case."
    if (current is not None and current.record_type == "contact" and old.get("sensitive") is True
            and "sensitive" in fields and fields["sensitive"] is not True):
        return "A contact marked sensitive cannot be unmarked. Ask your manager if it was a mistake."
    return None


S = AssessmentStatus
UNFINISHED_VALUES = frozenset(status.value for status in UNFINISHED)
LOCKED_TEXT = "A locked assessment cannot be changed."
# Workflow fields each step may set besides ``status`` (the rest only a create sets).
STEP_FIELDS: Mapping[str, frozenset[str]] = {
    S.SIGNED.value: frozenset({"signed_by", "signed_at", "overall_risk", "scores"}),
    S.OPEN.value: frozenset({"signed_by", "signed_at"}),                      # reopening
    S.LOCKED.value: frozenset({"countersigned_by", "countersigned_at"}),
    S.RETURNED.value: frozenset({"return_comments"}),
    S.SUPERSEDED.value: frozenset(),
}
CREATE_FIELDS = frozenset({"case_id", "template_id", "template_version", "status", "supersedes"})


def _text(value: JSONValue) -> str:
    return value if isinstance(value, str) else ""


def assessment_rules(officer: Officer, op: str, current: StoredRecord | None,
                     fields: Mapping[str, JSONValue]) -> str | None:
    """The client's workflow (domain/assessment/workflow.py), judged on what arrives.

    A laptop's outbox folds later edits into a change not yet sent, so one mutation
    may hold several steps (written and signed offline: one create; reopened, edited
    and signed: one update). It is allowed when those steps, in workflow order, are
    each allowed to the caller: answers only while the assessment is open, signing
    by its assessor in their own name, countersigning and returning by a senior
    probation officer who did not sign it, reopening by the assessor, superseding
    of an unfinished assessment. Locked and superseded assessments never change.
    """
    old = current.fields if current is not None else {}
    old_status = _text(old.get("status")) if current is not None else None
    if old_status == S.LOCKED.value:
        return LOCKED_TEXT
    if op == "delete":
        return None
    new_status = fields.get("status", old_status)
    if new_status not in STATUSES:
        return "fields.status: an assessment's status is open, signed, returned, locked or superseded."
    assert isinstance(new_status, str)
    changed = {name for name, value in fields.items() if current is None or old.get(name) != value}
    if not changed:
        return None         # nothing would change (e.g. a step the server already took)
    problem = _step_problem(officer, old_status, new_status, old, fields)
    if problem is not None:
        return problem
    # Answers and other ordinary details: only where the steps pass through "open".
    passes_open = old_status in (None, S.OPEN.value) or (
        old_status == S.RETURNED.value and new_status != S.RETURNED.value)
    ordinary = changed - WORKFLOW_FIELDS
    if ordinary and not passes_open:
        return check_edit(old, {}) or READ_ONLY
    moved = new_status != (old_status or S.OPEN.value)
    allowed = {"status"} | (STEP_FIELDS[new_status] if moved else set()) \
        | (CREATE_FIELDS if current is None else set())
    if old_status == S.RETURNED.value and new_status != S.RETURNED.value:
        allowed |= STEP_FIELDS[S.OPEN.value]          # reopened on the way
    blocked = sorted((changed & WORKFLOW_FIELDS) - allowed)
    if blocked:
        return check_edit({"status": S.OPEN.value}, {name: fields[name] for name in blocked})
    return None


def _step_problem(officer: Officer, old_status: str | None, new_status: str,
                  old: Mapping[str, JSONValue], fields: Mapping[str, JSONValue]) -> str | None:
    """Why the caller cannot take the assessment from ``old_status`` (None: new) to ``new_status``."""
    start = old_status or S.OPEN.value
    if new_status == start:
        return None if old_status != S.SUPERSEDED.value else _SUPERSEDED
    if start == S.SUPERSEDED.value:
        return _SUPERSEDED
    assessor = _text(old.get("assessor_code", fields.get("assessor_code")))
    is_assessor = assessor in ("", officer.staff_code)
    if new_status in (S.LOCKED.value, S.RETURNED.value):
        verb = "countersign" if new_status == S.LOCKED.value else "return"
        if not officer.is_spo:
            return f"Only a senior probation officer can {verb} an assessment."
        if start != S.SIGNED.value:
            return ("An assessment is countersigned only after it has been signed."
                    if verb == "countersign" else "Only a signed assessment can be returned.")
        if old.get("signed_by") == officer.staff_code:
            return (f"You signed this assessment, so another senior probation officer must "
                    f"{verb} it.")
        if verb == "return" and not _text(fields.get("return_comments",
                                                     old.get("return_comments"))).strip():
            return "Say what needs to change before returning the assessment."
        return None
    if new_status == S.SUPERSEDED.value:
        return None                       # from open, returned or signed
    if start == S.SIGNED.value:
        return ("This assessment is signed and waiting for a senior probation officer. It can be "
                "changed only if they return it.")
    if not is_assessor:
        return ("Only the officer writing this assessment can sign it." if new_status == S.SIGNED.value
                else "Only the officer writing this assessment can reopen it.")
    if new_status == S.SIGNED.value:
        signer = fields.get("signed_by", officer.staff_code)
        if signer != officer.staff_code:
            return "An assessment is signed in the name of the officer who signs it."
        return None
    if new_status == S.OPEN.value and start == S.RETURNED.value:
        return None
    return "Only a returned assessment can be reopened."


_SUPERSEDED = "This assessment was replaced by a newer one and can no longer be changed."
