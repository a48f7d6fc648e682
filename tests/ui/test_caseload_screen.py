"""The caseload table: columns in words, search as you type over names, CRNs and notes."""

from __future__ import annotations

import gc
import uuid
from dataclasses import replace

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from pytestqt.qtbot import QtBot

from caseclient.app import AppServices
from caseclient.domain.records import RiskLevel
from caseclient.services.caseload import CaseloadService, CaseSummary
from caseclient.storage.database import Database
from caseclient.storage.store import Store
from caseclient.ui.announce import Announcement
from caseclient.ui.caseload.model import CASE_ID_ROLE, COLUMNS, SORT_ROLE, CaseloadModel
from caseclient.ui.caseload.screen import ROWS_A_TURN
from tests.helpers.records import case_change
from tests.ui.conftest import OFFSCREEN_ONLY, open_window

pytestmark = OFFSCREEN_ONLY


def _cell(window: object, row: int, column: str, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    proxy = window.caseload_screen.proxy  # type: ignore[attr-defined]
    return proxy.index(row, COLUMNS.index(column)).data(role)


def test_caseload_lists_cases_in_words_with_headers(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    assert screen.shown_case_ids() == [case_ids["ann"], case_ids["bob"]]
    assert [screen.proxy.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))] == list(
        COLUMNS)
    assert _cell(window, 0, "Risk level") == "Very high RoSH"
    assert _cell(window, 1, "Risk level") == "Not recorded"
    assert _cell(window, 1, "Tier") == "C1"
    assert _cell(window, 0, "Unsent", Qt.ItemDataRole.AccessibleTextRole) == "0 not yet sent"
    assert screen.count.text() == "2 cases"
    assert not screen.table.tabKeyNavigation()

    screen.table.sortByColumn(COLUMNS.index("Risk level"), Qt.SortOrder.DescendingOrder)
    assert screen.shown_case_ids() == [case_ids["ann"], case_ids["bob"]]
    screen.table.sortByColumn(COLUMNS.index("CRN"), Qt.SortOrder.DescendingOrder)
    assert screen.shown_case_ids() == [case_ids["bob"], case_ids["ann"]]


def test_search_as_you_type_over_names_crns_and_notes(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    services.contacts.new_contact(case_ids["bob"], notes="Talked about the burglary charge")
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    qtbot.waitUntil(screen.search.hasFocus)

    qtbot.keyClicks(screen.search, "an")
    qtbot.waitUntil(lambda: screen.count.text() == "1 case found for “an”")
    assert screen.shown_case_ids() == [case_ids["ann"]]
    assert heard[-1] == Announcement("1 case found for “an”", assertive=False)

    screen.search.clear()
    qtbot.keyClicks(screen.search, "y6543")
    qtbot.waitUntil(lambda: screen.count.text() == "1 case found for “y6543”")
    assert screen.shown_case_ids() == [case_ids["bob"]]

    screen.search.clear()
    qtbot.keyClicks(screen.search, "burgl")
    qtbot.waitUntil(lambda: screen.count.text() == "1 case found for “burgl”")
    assert screen.shown_case_ids() == [case_ids["bob"]]
    spoken = _cell(window, 0, "Name", Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == "Bob Sample, found in: Talked about the burglary charge"

    screen.search.clear()
    qtbot.waitUntil(lambda: len(screen.shown_case_ids()) == 2)
    assert screen.count.text() == "2 cases"


def test_enter_opens_the_highlighted_case(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    qtbot.keyClicks(screen.search, "sample")
    qtbot.waitUntil(lambda: screen.shown_case_ids() == [case_ids["bob"]])
    with qtbot.waitSignal(screen.case_opened) as opened:
        qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert opened.args == [case_ids["bob"]]

    screen.search.clear()
    qtbot.waitUntil(lambda: len(screen.shown_case_ids()) == 2)
    screen.search.setFocus()
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)
    assert screen.table.hasFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(screen.case_opened) as opened:
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert opened.args == [case_ids["bob"]]


def test_after_a_sync_the_caseload_reloads_once_and_only_if_records_changed(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement], monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus)
    screen.table.setCurrentIndex(screen.proxy.index(1, 0))
    reads: list[str] = []
    cases = services.caseload.cases
    monkeypatch.setattr(services.caseload, "cases", lambda: reads.append("cases") or cases())
    window.records_did_change()                     # a sync that brought nothing
    assert reads == [] and screen.table.currentIndex().row() == 1 and screen.table.hasFocus()
    services.session.store.records.apply_server_records([case_change("Z111111", "Cy", "Newman")])
    window.records_did_change()
    assert screen.model.rowCount() == 2, "worked out on the reader thread, shown in a later turn"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    assert reads == ["cases"]
    assert screen.table.hasFocus()
    window.records_did_change()
    assert reads == ["cases"]


def test_columns_fit_their_widest_text_after_a_reload_and_a_text_size_change(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    """Fitted once per reload (not on every layout pass), as ResizeToContents fitted them."""
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    header = screen.table.horizontalHeader()

    def fitted() -> list[int]:
        return [max(screen.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                for c in range(len(COLUMNS) - 1)]           # the last column stretches

    def widths() -> list[int]:
        return [header.sectionSize(c) for c in range(len(COLUMNS) - 1)]

    assert widths() == fitted()
    services.session.store.records.apply_server_records(
        [case_change("Z111111", "Maximilian-Alexander", "Featherstonehaugh-Wolfeschlegel")])
    window.records_did_change()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    assert widths() == fitted()
    name_width = header.sectionSize(0)
    font = screen.table.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    screen.table.setFont(font)
    assert header.sectionSize(0) > name_width
    assert widths() == fitted()
    header.resizeSection(1, fitted()[1] + 120)         # the officer widened a column
    screen.refresh()                                    # the same texts: nothing to fit
    assert header.sectionSize(1) == fitted()[1] + 120


def test_the_highlighted_case_stays_highlighted_across_a_reload(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    screen.table.setCurrentIndex(screen.proxy.index(1, COLUMNS.index("CRN")))
    assert screen.table.currentIndex().siblingAtColumn(0).data(CASE_ID_ROLE) == case_ids["bob"]
    services.session.store.records.apply_server_records([case_change("Z111111", "Aaron", "Aardvark")])
    window.records_did_change()                     # the new case sorts first: Bob moves down
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    current = screen.table.currentIndex()
    assert (current.row(), current.column()) == (2, COLUMNS.index("CRN"))
    assert current.siblingAtColumn(0).data(CASE_ID_ROLE) == case_ids["bob"]
    assert screen.table.selectionModel().isRowSelected(2)


def test_cells_are_answered_by_qt_with_every_role_the_table_uses(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    """Painting, sorting and screen readers ask Qt's item model, never Python: a Python data()
    and rowCount() asked thousands of times per reload made the post-sync reload stall."""
    for method in ("data", "rowCount", "columnCount", "flags", "headerData", "index"):
        assert getattr(CaseloadModel, method) is getattr(QStandardItemModel, method), method
    services.contacts.new_contact(case_ids["bob"], notes="Talked about the burglary charge")
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    figure = COLUMNS.index("Unsent")
    assert screen.proxy.index(0, figure).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert screen.proxy.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert screen.proxy.index(0, 0).flags() == (Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    assert screen.proxy.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.AccessibleTextRole) == "Name"
    assert screen.proxy.headerData(1, Qt.Orientation.Vertical) == "Bob Sample"
    assert _cell(window, 1, "Tier", Qt.ItemDataRole.AccessibleTextRole) is None   # reads "C1"
    assert _cell(window, 0, "Needs an outcome", Qt.ItemDataRole.AccessibleTextRole) == "0 needing an outcome"
    assert _cell(window, 0, "Name", Qt.ItemDataRole.ToolTipRole) is None

    qtbot.keyClicks(screen.search, "burgl")
    qtbot.waitUntil(lambda: screen.count.text() == "1 case found for “burgl”")
    assert _cell(window, 0, "Name", Qt.ItemDataRole.ToolTipRole) == (
        "Found in: Talked about the burglary charge")


def test_a_sync_read_waiting_to_be_shown_is_dropped_by_a_lock_and_shown_before_a_key_acts(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    services.session.store.records.apply_server_records([case_change("Z111111", "Aaron", "Aardvark")])
    window.records_did_change()
    screen.model.set_cases([])                      # what locking does to the table
    qtbot.wait(20)
    assert screen.model.rowCount() == 0, "cases read before the lock are not shown after it"

    screen.refresh()
    services.session.store.records.apply_server_records([case_change("Z222222", "Cy", "Newman")])
    window.records_did_change()
    screen.search.setFocus()
    qtbot.keyClick(screen.search, Qt.Key.Key_Down)  # acts on the table as it now is
    assert screen.model.rowCount() == 4 and screen.table.hasFocus()
    assert screen.table.currentIndex().siblingAtColumn(0).data() == "Aaron Aardvark"   # kept


def test_a_reload_leaves_no_python_wrapper_of_a_cell_behind(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    """Cells made in Python and handed to the model stay referenced by the model's Python wrapper
    after the model deletes them on the next reload; PySide then hands that stale QStandardItem
    wrapper out for a new Qt object at the same address (seen: ``verticalHeader()`` returning a
    QStandardItem in the full suite). Cells are made by the model itself, so none is wrapped."""
    def wrapped() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, QStandardItem))

    window = open_window(qtbot, services, heard)
    model = window.caseload_screen.model
    model.set_cases(services.caseload.cases())
    before = wrapped()
    for _ in range(3):
        model.set_cases(services.caseload.cases())
    assert wrapped() == before, "a reload left wrappers of the cells it deleted"
    assert model.rowCount() == 2 and model.data(model.index(0, 0)) == "Ann Example"


def test_after_a_sync_by_another_connection_the_rows_equal_a_fresh_full_read(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    """The summaries are worked out on the caseload's reader thread after a sync; what the
    table then shows is what reading everything afresh on the UI thread shows."""
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    worker = Store(Database.open(services.paths.database, services.session.key_pragma()),
                   clock=services.clock)                    # as the sync worker writes
    try:
        worker.records.apply_server_records([
            case_change("Z111111", "Cy", "Newman"),
            _appointment(case_ids["ann"], "2026-11-24", "09:00"),     # due without an outcome
            _appointment(case_ids["bob"], "2026-11-24", "16:45")])    # later today
    finally:
        worker.close()
    window.records_did_change()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    fresh = CaseloadModel()
    fresh.set_cases(CaseloadService(lambda: services.session.store, services.clock).cases())
    for column in range(len(COLUMNS)):
        assert screen.model.display_texts(column) == fresh.display_texts(column)
    assert _cell(window, 0, "Needs an outcome") == "1"
    assert _cell(window, 1, "Next appointment") == "Tue 24/11/2026 16:45"


def _appointment(case_id: str, day: str, start: str) -> dict[str, object]:
    return {"record_type": "contact", "record_id": str(uuid.uuid4()), "version": 1,
            "fields": {"case_id": case_id, "contact_type": "COAP", "date": day, "start_time": start,
                       "notes": "Seen at the office."}}


_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole,
          Qt.ItemDataRole.TextAlignmentRole, SORT_ROLE, CASE_ID_ROLE)


def test_the_same_cases_again_update_only_their_changed_rows_in_place(qtbot: QtBot) -> None:
    """A sync that changed one case does not reset the table: the view keeps its place (and a
    screen reader its), and only that row is filled again, its old roles gone."""
    model = CaseloadModel()
    first = [CaseSummary(f"case-{n}", f"X{n:06d}", f"Name {n}", "B2", RiskLevel.LOW, None, 0, 0,
                         match="talked about [housing]") for n in range(3)]
    model.set_cases(first)
    kept = QPersistentModelIndex(model.index(2, 0))
    resets: list[int] = []
    changed: list[tuple[int, int, int, int]] = []
    headers: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, _roles=None: changed.append(
        (a.row(), a.column(), b.row(), b.column())))
    model.headerDataChanged.connect(lambda _orientation, a, b: headers.append((a, b)))
    second = [first[0], replace(first[1], name="Renamed Case", unsent=2, match=None), first[2]]
    model.set_cases(second)
    assert resets == [] and kept.isValid() and kept.row() == 2
    assert changed == [(1, 0, 1, len(COLUMNS) - 1)] and headers == [(1, 1)]
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None, "the old snippet is gone"
    assert model.index(1, 0).data(Qt.ItemDataRole.AccessibleTextRole) is None   # reads the name shown
    fresh = CaseloadModel()
    fresh.set_cases(second)
    vertical = Qt.Orientation.Vertical
    for row in range(3):
        assert model.headerData(row, vertical) == fresh.headerData(row, vertical)
        for column in range(len(COLUMNS)):
            for role in _ROLES:
                assert model.index(row, column).data(role) == fresh.index(row, column).data(role), \
                    (row, column, role)
    model.set_cases(list(second))
    assert changed == [(1, 0, 1, len(COLUMNS) - 1)], "nothing changed: nothing signalled"
    model.set_cases(second[::-1])
    assert resets == [1] and model.case_at(0) == second[2] and model.row_of("case-2") == 0
    assert QModelIndex(kept).isValid() is False


def _first_sync_of(screen: object, services: AppServices, window: object, count: int) -> list[int]:
    """An emptied table, then a sync bringing ``count`` cases; the row counts the table passes
    through (each reset or insertion), recorded as they happen."""
    screen.clear()                                   # type: ignore[attr-defined]
    model = screen.model                             # type: ignore[attr-defined]
    seen: list[int] = []
    model.modelReset.connect(lambda: seen.append(model.rowCount()))
    model.rowsInserted.connect(lambda *_: seen.append(model.rowCount()))
    services.session.store.records.apply_server_records(
        [case_change(f"Y{n:06d}", "Given", f"Surname{n:03d}") for n in range(count)])
    window.records_did_change()                      # type: ignore[attr-defined]
    return seen


def test_a_first_sync_fills_an_empty_table_a_few_dozen_rows_a_turn(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    """Each part in its own turn of the event loop, so no turn holds the UI thread for all of
    them; the count and the highlighted row come with the last part, and the rows are then
    those a single reload shows."""
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    counts: list[str] = []
    before = screen.count.text()
    seen = _first_sync_of(screen, services, window, 2 * ROWS_A_TURN + 20)
    screen.model.modelReset.connect(lambda: counts.append(screen.count.text()))
    total = 2 * ROWS_A_TURN + 22                     # with Ann and Bob
    qtbot.waitUntil(lambda: screen.count.text() == f"{total} cases")
    assert seen == [ROWS_A_TURN, 2 * ROWS_A_TURN, total]
    assert counts == [before], "no count is shown for a part"
    assert screen.table.currentIndex().row() == 0
    fresh = CaseloadModel()
    fresh.set_cases(services.caseload.cases())
    shown = screen.shown_case_ids()
    assert sorted(shown) == sorted(fresh.case_at(n).case_id for n in range(total))
    vertical = Qt.Orientation.Vertical
    for row in range(total):
        source = screen.proxy.mapToSource(screen.proxy.index(row, 0)).row()
        other = fresh.row_of(shown[row])
        assert screen.model.headerData(source, vertical) == fresh.headerData(other, vertical)
        for column in range(len(COLUMNS)):
            for role in _ROLES:
                assert screen.model.index(source, column).data(role) == \
                    fresh.index(other, column).data(role), (row, column, role)


def test_a_lock_stops_a_table_being_filled_and_flush_fills_it_at_once(
        qtbot: QtBot, services: AppServices, case_ids: dict[str, str],
        heard: list[Announcement]) -> None:
    window = open_window(qtbot, services, heard)
    screen = window.caseload_screen
    _first_sync_of(screen, services, window, 2 * ROWS_A_TURN)
    locked: list[int] = []

    def lock_after_the_first_part() -> None:
        if not locked and screen.model.rowCount() == ROWS_A_TURN:
            locked.append(1)
            QTimer.singleShot(0, screen.clear)      # what locking does, before the next part
    screen.model.modelReset.connect(lock_after_the_first_part)
    qtbot.waitUntil(lambda: bool(locked) and screen.model.rowCount() == 0)
    qtbot.wait(30)
    assert screen.model.rowCount() == 0, "no part is added after the lock"

    flushed: list[int] = []

    def flush_after_the_first_part() -> None:     # as a key in the search field does
        if not flushed and screen.model.rowCount() == ROWS_A_TURN:
            flushed.append(ROWS_A_TURN)
            QTimer.singleShot(0, lambda: (screen.flush(), flushed.append(screen.model.rowCount())))
    screen.model.modelReset.connect(flush_after_the_first_part)
    screen.refresh()
    screen.clear()
    window.records_did_change()
    qtbot.waitUntil(lambda: len(flushed) == 2)
    assert flushed == [ROWS_A_TURN, 2 * ROWS_A_TURN + 2], "every row at once"
    assert screen.count.text() == f"{2 * ROWS_A_TURN + 2} cases"
    qtbot.wait(30)
    assert screen.model.rowCount() == 2 * ROWS_A_TURN + 2, "and no part after them"
