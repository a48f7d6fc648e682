from __future__ import annotations

import datetime as dt

from caseclient.domain.records import Contact
from caseclient.domain.reference import ReferenceData
from caseclient.domain.validation import check_contact_change, validate_contact_finish
from tests.helpers.records import reference_changes

REF = ReferenceData.from_records(c["fields"] for c in reference_changes())
NOW = dt.datetime(2026, 11, 24, 12, 0)


def contact(**fields: object) -> Contact:
    base: dict[str, object] = {"case_id": "c", "contact_type": "COAP", "date": "2026-11-24",
                               "start_time": "10:00"}
    base.update(fields)
    return Contact.from_fields(str(fields.pop("id", "k1")), base)  # type: ignore[arg-type]


def fields_of(result: object) -> list[str]:
    return [e.field for e in result.errors]  # type: ignore[attr-defined]


def test_past_appointment_needs_an_outcome() -> None:
    result = validate_contact_finish(contact(), REF, now=NOW)
    assert fields_of(result) == ["outcome"]
    assert "record an outcome" in result.errors[0].message


def test_future_appointment_cannot_have_an_outcome_yet() -> None:
    result = validate_contact_finish(contact(date="2026-11-30", outcome="ATTC"), REF, now=NOW)
    assert fields_of(result) == ["outcome"]


def test_attended_and_complied_finishes_cleanly() -> None:
    assert validate_contact_finish(contact(outcome="ATTC"), REF, now=NOW).ok


def test_unacceptable_absence_needs_enforcement_and_reason_when_asked() -> None:
    result = validate_contact_finish(contact(outcome="FTA_UNACC"), REF, now=NOW)
    assert fields_of(result) == ["enforcement"]
    result = validate_contact_finish(contact(outcome="FTA_UNACC", enforcement="NOENF"), REF, now=NOW)
    assert fields_of(result) == ["enforcement_reason"]
    ok = validate_contact_finish(contact(outcome="FTA_UNACC", enforcement="NOENF",
                                         enforcement_reason="In hospital, letter seen"), REF, now=NOW)
    assert ok.ok


def test_notes_required_by_type_and_times_in_order() -> None:
    result = validate_contact_finish(contact(contact_type="CTEL", start_time="10:00",
                                             end_time="09:00"), REF, now=NOW)
    assert sorted(fields_of(result)) == ["end_time", "notes"]


def test_missing_type_and_date_are_named() -> None:
    result = validate_contact_finish(Contact.from_fields("k", {"case_id": "c"}), REF, now=NOW)
    assert sorted(fields_of(result)) == ["contact_type", "date"]


def test_unknown_codes_are_refused() -> None:
    result = validate_contact_finish(contact(contact_type="ZZZ"), REF, now=NOW)
    assert fields_of(result) == ["contact_type"]


def test_second_unacceptable_failure_in_12_months_on_a_community_order_warns() -> None:
    earlier = contact(id="k0", date="2026-03-01", outcome="FTA_UNACC", enforcement="WARN")
    current = contact(outcome="FTA_UNACC", enforcement="WARN")
    order = REF.order_types["ORA_CO"]
    result = validate_contact_finish(current, REF, now=NOW, other_contacts=[earlier],
                                     order_type=order)
    assert result.ok and [w.field for w in result.warnings] == ["outcome"]
    assert "breach must be considered" in result.warnings[0].message
    licence = validate_contact_finish(current, REF, now=NOW, other_contacts=[earlier],
                                      order_type=REF.order_types["LIC"])
    assert licence.warnings == ()
    long_ago = contact(id="k0", date="2025-06-01", outcome="FTA_UNACC", enforcement="WARN")
    assert validate_contact_finish(current, REF, now=NOW, other_contacts=[long_ago],
                                   order_type=order).warnings == ()


def test_sensitive_can_be_set_but_never_unset() -> None:
    plain, marked = contact(), contact(sensitive=True)
    assert check_contact_change(plain, marked) == []
    errors = check_contact_change(marked, plain)
    assert [e.field for e in errors] == ["sensitive"]


def test_a_contact_cannot_move_case() -> None:
    assert [e.field for e in check_contact_change(contact(), contact(case_id="other"))] == ["case_id"]
