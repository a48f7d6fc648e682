from __future__ import annotations

import datetime as dt

from caseclient.domain.records import Contact, Event, Person, RecordState, Register, RiskLevel


def test_contact_round_trips_through_wire_fields() -> None:
    fields = {"case_id": "c", "contact_type": "COAP", "date": "2026-11-24", "start_time": "09:05",
              "end_time": None, "notes": "Long notes", "sensitive": True, "alert": False}
    contact = Contact.from_fields("id1", fields)
    assert contact.date == dt.date(2026, 11, 24) and contact.start_time == dt.time(9, 5)
    wire = contact.to_fields()
    assert wire["date"] == "2026-11-24" and wire["start_time"] == "09:05"
    assert Contact.from_fields("id1", wire) == contact


def test_half_typed_values_open_as_empty_rather_than_failing() -> None:
    contact = Contact.from_fields("id1", {"case_id": "c", "date": "2026-13-45", "start_time": "9"})
    assert contact.date is None and contact.start_time is None


def test_person_event_register_views() -> None:
    person = Person.from_fields("p", {"crn": "X123456", "first_name": "Ann", "last_name": "Lee"})
    assert person.display_name == "Ann Lee"
    event = Event.from_fields("e", {"case_id": "p", "order_type": "ORA_CO",
                                    "sentence_date": "2026-01-01",
                                    "requirements": [{"type": "unpaid_work", "amount": 120,
                                                      "unit": "hours"}, "junk"]})
    assert [r.amount for r in event.requirement_list] == [120]
    register = Register.from_fields("r", {"case_id": "p", "register_type": "RRSH",
                                          "start_date": "2026-01-01",
                                          "next_review_date": "2026-06-01"})
    assert register.review_overdue(dt.date(2026, 11, 24))
    assert not register.review_overdue(dt.date(2026, 5, 1))


def test_states_and_levels_have_words_not_only_colours() -> None:
    assert RecordState.SAVED.words == "Saved on this laptop"
    assert RiskLevel.VERY_HIGH.words == "Very high"
