"""Rules the server holds whatever a client sends: who may change what, locked
assessments, the sensitive flag, the assessment workflow and field checks."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

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


def assessment_rules(officer: Officer, op: str, current: StoredRecord | None,
                     fields: Mapping[str, JSONValue]) -> str | None:
    old_status = current.fields.get("status") if current is not None else None
    if old_status == AssessmentStatus.LOCKED.value:
        return "A locked assessment cannot be changed."
    if op == "delete":
        return None
    new_status = fields.get("status", old_status)
    if new_status not in STATUSES:
        return "fields.status: an assessment's status is open, signed, returned, locked or superseded."
    if new_status == old_status:
        return None
    if new_status == AssessmentStatus.LOCKED.value:
        if not officer.is_spo:
            return "Only a senior probation officer can countersign an assessment."
        if old_status != AssessmentStatus.SIGNED.value:
            return "An assessment is countersigned only after it has been signed."
    if new_status == AssessmentStatus.RETURNED.value:
        if not officer.is_spo:
            return "Only a senior probation officer can return an assessment."
        if old_status != AssessmentStatus.SIGNED.value:
            return "Only a signed assessment can be returned."
    return None
