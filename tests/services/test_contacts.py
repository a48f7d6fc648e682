"""ContactService: the autosave entry point and finishing, through a real store."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from caseclient.domain.records import RecordState
from caseclient.errors import RecordNotFound
from caseclient.services.contacts import ContactSaved, ContactService
from caseclient.storage.store import Store


def test_new_contact_is_a_draft_on_disk(contacts: ContactService, seeded: dict[str, str]) -> None:
    view = contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24")
    assert view.state is RecordState.DRAFT
    assert contacts.get(view.contact.id).contact.contact_type == "COAP"


def test_new_contact_on_an_unknown_case_is_refused(contacts: ContactService) -> None:
    with pytest.raises(RecordNotFound):
        contacts.new_contact("0192f6c3-0000-7000-8000-00000000dead")


def test_save_draft_saves_what_is_valid_and_reports_the_rest(
        contacts: ContactService, seeded: dict[str, str], qtbot: QtBot) -> None:
    view = contacts.new_contact(seeded["ann"])
    with qtbot.waitSignal(contacts.contact_did_save) as blocker:
        saved = contacts.save_draft(view.contact.id, {"notes": "Seen at home.", "date": "31/11/2026"})
    assert isinstance(blocker.args[0], ContactSaved) and blocker.args[0] == saved
    assert saved.changed == ("notes",)
    assert [e.field for e in saved.errors] == ["date"]
    assert contacts.get(view.contact.id).contact.notes == "Seen at home."


def test_every_save_names_the_contacts_case(contacts: ContactService, seeded: dict[str, str],
                                           qtbot: QtBot) -> None:
    """What changed, nothing changed, and a refused move to another case: each ContactSaved
    carries the case the contact is on (the case view refreshes on it)."""
    view = contacts.new_contact(seeded["ann"])
    for changes, changed in [({"notes": "Seen at home."}, ("notes",)),
                             ({"notes": "Seen at home."}, ()),
                             ({"case_id": seeded["bob"], "location": "Office"}, ("location",))]:
        with qtbot.waitSignal(contacts.contact_did_save) as blocker:
            saved = contacts.save_draft(view.contact.id, changes)
        assert blocker.args[0] == saved
        assert (saved.case_id, saved.changed) == (seeded["ann"], changed)
    assert [e.field for e in saved.errors] == ["case_id"]
    other = contacts.new_contact(seeded["bob"])
    assert contacts.save_draft(other.contact.id, {"notes": "Rang."}).case_id == seeded["bob"]


def test_sensitive_can_never_be_unset_through_autosave(contacts: ContactService,
                                                       seeded: dict[str, str]) -> None:
    view = contacts.new_contact(seeded["ann"])
    contacts.save_draft(view.contact.id, {"sensitive": True})
    saved = contacts.save_draft(view.contact.id, {"sensitive": False, "notes": "kept"})
    assert [e.field for e in saved.errors] == ["sensitive"]
    current = contacts.get(view.contact.id).contact
    assert current.sensitive is True and current.notes == "kept"


def test_finish_validates_then_queues(contacts: ContactService, seeded: dict[str, str],
                                      qtbot: QtBot) -> None:
    view = contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24",
                                start_time="10:00")
    refused = contacts.finish(view.contact.id)
    assert [e.field for e in refused.validation.errors] == ["outcome"]
    assert refused.view.state is RecordState.DRAFT
    contacts.save_draft(view.contact.id, {"outcome": "ATTC"})
    with qtbot.waitSignal(contacts.contact_did_finish):
        done = contacts.finish(view.contact.id)
    assert done.validation.ok and done.view.state is RecordState.SAVED


def test_breach_warning_uses_the_event_order(contacts: ContactService, seeded: dict[str, str],
                                             store: Store) -> None:
    event_id = "0192f6c3-0000-7000-8000-0000000000e1"
    store.records.apply_server_records([{
        "record_type": "event", "record_id": event_id, "version": 1,
        "fields": {"case_id": seeded["ann"], "order_type": "ORA_CO",
                   "sentence_date": "2026-01-10"}}])
    first = contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-09-01",
                                 start_time="10:00", outcome="FTA_UNACC", enforcement="WARN",
                                 event_id=event_id)
    assert contacts.finish(first.contact.id).validation.warnings == ()
    second = contacts.new_contact(seeded["ann"], contact_type="COAP", date="2026-11-24",
                                  start_time="09:00", outcome="FTA_UNACC", enforcement="WARN",
                                  event_id=event_id)
    result = contacts.finish(second.contact.id)
    assert result.validation.ok and [w.field for w in result.validation.warnings] == ["outcome"]


def test_history_lists_every_saved_version(contacts: ContactService, seeded: dict[str, str]) -> None:
    view = contacts.new_contact(seeded["ann"], contact_type="CTEL", date="2026-11-24")
    contacts.save_draft(view.contact.id, {"notes": "Rang, no answer."})
    assert contacts.history(view.contact.id)[-1].new_values["notes"] == "Rang, no answer."


def test_contacts_for_a_case_newest_first(contacts: ContactService, seeded: dict[str, str]) -> None:
    older = contacts.new_contact(seeded["ann"], date="2026-10-01")
    newer = contacts.new_contact(seeded["ann"], date="2026-11-20")
    assert [v.contact.id for v in contacts.for_case(seeded["ann"])] == [newer.contact.id,
                                                                      older.contact.id]
