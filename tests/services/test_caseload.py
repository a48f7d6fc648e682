"""CaseloadService: summaries and search over a real store."""

from __future__ import annotations

import datetime as dt

from caseclient.domain.records import RiskLevel
from caseclient.services.caseload import CaseloadService
from caseclient.services.contacts import ContactService


def test_cases_are_listed_by_name_with_risk_in_words(caseload: CaseloadService,
                                                     seeded: dict[str, str]) -> None:
    cases = caseload.cases()
    assert [c.crn for c in cases] == ["X123456", "Y654321"]
    ann, bob = cases
    assert ann.risk_level is RiskLevel.VERY_HIGH and ann.name == "Ann Example"
    assert bob.risk_level is None and bob.tier == "C1"


def test_appointments_needing_an_outcome_and_the_next_one(caseload: CaseloadService,
                                                          contacts: ContactService,
                                                          seeded: dict[str, str]) -> None:
    contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24", start_time="09:00")
    contacts.new_contact(seeded["ann"], contact_type="CHVS", date="2026-11-27", start_time="14:30")
    contacts.new_contact(seeded["ann"], contact_type="CTEL", date="2026-11-20")  # not an appointment
    ann = next(c for c in caseload.cases() if c.crn == "X123456")
    assert ann.needs_outcome == 1
    assert ann.next_appointment == dt.datetime(2026, 11, 27, 14, 30)
    assert ann.unsent == 0  # drafts are not yet waiting to be sent


def test_unsent_counts_finished_contacts_waiting(caseload: CaseloadService,
                                                 contacts: ContactService,
                                                 seeded: dict[str, str]) -> None:
    view = contacts.new_contact(seeded["bob"], contact_type="CTEL", date="2026-11-20",
                                notes="Rang about housing.")
    assert contacts.finish(view.contact.id).validation.ok
    bob = next(c for c in caseload.cases() if c.crn == "Y654321")
    assert bob.unsent == 1


def test_search_finds_cases_by_name_crn_and_notes(caseload: CaseloadService,
                                                  contacts: ContactService,
                                                  seeded: dict[str, str]) -> None:
    contacts.new_contact(seeded["bob"], notes="Talked about the allotment project")
    assert [c.crn for c in caseload.search("ann")] == ["X123456"]
    assert [c.crn for c in caseload.search("Y6543")] == ["Y654321"]
    found = caseload.search("allotm")
    assert [c.crn for c in found] == ["Y654321"] and "allotment" in (found[0].match or "")
    assert caseload.search("nothing-like-this") == []
