from __future__ import annotations

import pytest

from caseclient.domain.schema import RECORD_SPECS, FieldError, check_fields

CASE_ID = "0192f6c3-0000-7000-8000-000000000001"


def test_a_valid_contact_passes() -> None:
    fields = {"case_id": CASE_ID, "contact_type": "COAP", "date": "2026-11-24",
              "start_time": "10:30", "notes": "Seen.", "sensitive": False}
    assert check_fields("contact", fields, partial=False) == []


@pytest.mark.parametrize(("name", "value", "words"), [
    ("date", "24/11/2026", "YYYY-MM-DD"),
    ("date", "2026-02-30", "YYYY-MM-DD"),
    ("start_time", "25:00", "HH:MM"),
    ("sensitive", "yes", "yes or no"),
    ("case_id", "123", "record id"),
    ("notes", 5, "must be text"),
])
def test_bad_values_get_plain_messages(name: str, value: object, words: str) -> None:
    errors = check_fields("contact", {name: value}, partial=True)
    assert len(errors) == 1 and errors[0].field == name and words in errors[0].message


def test_missing_required_fields_are_named() -> None:
    errors = check_fields("contact", {"notes": "x"}, partial=False)
    assert {e.field for e in errors} == {"case_id", "contact_type", "date"}


def test_unknown_fields_and_types_are_refused() -> None:
    assert check_fields("contact", {"colour": "red"}, partial=True) == [
        FieldError("colour", "A contact has no field 'colour'.")]
    assert check_fields("spaceship", {}, partial=True)[0].field == "record_type"


def test_server_only_fields_are_refused_from_a_client() -> None:
    errors = check_fields("case", {"first_name": "Changed"}, partial=True)
    assert errors and "central system only" in errors[0].message
    assert check_fields("case", {"first_name": "Changed"}, partial=True, from_client=False) == []


def test_crn_format() -> None:
    assert check_fields("case", {"crn": "x12345"}, partial=True, from_client=False)[0].field == "crn"
    assert check_fields("case", {"crn": "X123456"}, partial=True, from_client=False) == []


def test_every_record_type_has_a_label_and_unique_fields() -> None:
    for spec in RECORD_SPECS.values():
        assert spec.label
        assert len(set(spec.field_names)) == len(spec.field_names)


def test_assessment_answers_are_open_fields_checked_by_name_and_value() -> None:
    fields = {"case_id": CASE_ID, "template_id": "caseclient-oasys-style", "template_version": 1,
              "status": "open", "answer.s3.q1": 2, "answer.s3.evidence": "No fixed abode."}
    assert check_fields("assessment", fields, partial=False) == []
    bad = check_fields("assessment", {"answer.Bad Name!": 1, "answer.ok": None,
                                      "answerx": 1}, partial=True)
    assert {e.field for e in bad} == {"answer.Bad Name!", "answerx"}
    assert check_fields("assessment", {"answer.q": "x" * 1_000_001}, partial=True)[0].message \
        .startswith("An answer is longer")
