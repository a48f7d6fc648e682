"""Screenshots of the main screens, for docs/screenshots/ (run it with scripts/screenshots).

Renders, on Qt's offscreen platform configured as a 1280×800 laptop screen, the real
main window (``ui.main.make_window``, as the app starts it) over a made-up profile:
``caseserver.synthetic`` records as a first sync would store them, a draft contact,
a finished one waiting to be sent, a conflict and an assessment in progress.
Screens: unlock, caseload, a case, the contact editor, today and
diary, Needs attention and its side-by-side chooser, settings, the sync status bar
(offline, and signed out) and a section of an assessment in progress (opened as the
case view opens it, ``MainWindow.open_assessment``).
Themes: light, dark and high contrast at 100 % text, and light and high contrast at
200 % (the app's own display settings). The clock is pinned, so the same code draws
the same pictures.

Files are named ``<screen>-<theme>-<text size>.png`` (e.g. ``caseload-light-100.png``).
``--quick`` draws only the light theme at 100 %; ``--out DIR`` writes elsewhere.
Nothing here is real case data: every person comes from the synthetic generator.
"""

from __future__ import annotations

import argparse
import array
import collections
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QImage, QImageWriter
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from caseclient.app import AppServices, build
from caseclient.config import AppPaths
from caseclient.domain.assessment import QuestionKind
from caseclient.domain.records import Grade, Officer
from caseclient.domain.schema import AssessmentStatus
from caseclient.services.assessments import AssessmentService
from caseclient.storage import outbox, reconcile, sync_state
from caseclient.storage.kdf import KdfParams
from caseclient.storage.secrets import MemorySecretStore
from caseclient.storage.vault import KeyVault
from caseclient.ui.main import make_window
from caseclient.ui.main_window import MainWindow
from caseclient.ui.settings import DisplaySettings, SettingsFile, Theme
from caseclient.ui.sync_status.link import bar_status
from caseserver.synthetic import SyntheticOfficer, generate

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1280, 800
VARIANTS = (("light", 100), ("dark", 100), ("high_contrast", 100), ("light", 200), ("high_contrast", 200))
SCREENS = ("unlock", "caseload", "case", "contact-editor", "diary", "needs-attention",
           "needs-attention-chooser", "settings", "sync-status-offline", "sync-status-signed-out",
           "assessment-section")
PASSPHRASE = "made-up cases for the screenshots"
TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 10, 30)          # local wall-clock time, pinned
LAST_SYNC = dt.timedelta(minutes=25)             # the made-up profile's first sync, this long ago
Variant = tuple[str, int]


def file_name(screen: str, theme: str, text_size: int) -> str:
    return f"{screen}-{theme.replace('_', '-')}-{text_size}.png"


def variants(quick: bool) -> list[Variant]:
    return [VARIANTS[0]] if quick else list(VARIANTS)


def expected_files(quick: bool) -> list[str]:
    """Every file a run writes."""
    return [file_name(screen, theme, size) for theme, size in variants(quick) for screen in SCREENS]


def use_laptop_screen(folder: Path) -> None:
    """Qt's offscreen platform as one 1280×800 screen at 96 dpi, whatever this machine has."""
    config = folder / "screen.json"
    config.write_text(json.dumps({
        "synchronousWindowSystemEvents": False, "windowFrameMargins": False,
        "screens": [{"name": "laptop", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT,
                     "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}), "utf-8")
    for name in ("QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS", "QT_AUTO_SCREEN_SCALE_FACTOR",
                 "QT_ENABLE_HIGHDPI_SCALING", "QT_FONT_DPI"):
        os.environ.pop(name, None)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def clock() -> dt.datetime:
    return NOW.astimezone()


def services_for(paths: AppPaths) -> AppServices:
    return build(paths, clock=clock, secrets=MemorySecretStore(),
                 vault=KeyVault(paths.key_file, clock=clock, params=KdfParams.for_tests()))


@dataclass(frozen=True)
class Scene:
    """What the screenshots show: ids in the made-up profile."""

    officer: Officer
    case_id: str
    contact_id: str
    assessment_id: str
    question_id: str


def _officer(staff: tuple[SyntheticOfficer, ...]) -> SyntheticOfficer:
    return next(o for o in staff if o.grade != "SPO")


def make_profile(paths: AppPaths) -> Scene:
    """Set up the profile with a synthetic caseload and some work of the officer's; leave it locked."""
    made = generate(officers=1, cases_per_officer=8, contacts_per_case=6, seed=8, today=TODAY,
                    assessments_in_progress=True)
    holder = _officer(made.officers)
    officer = Officer(holder.staff_code, holder.name, Grade(holder.grade), holder.team)
    services = services_for(paths)
    services.session.set_up(PASSPHRASE)
    try:
        store = services.session.store
        store.set_officer_code(officer.staff_code)
        store.records.apply_server_records([
            {"record_type": r.record_type, "record_id": r.record_id, "version": 1, "deleted": False,
             "fields": dict(r.fields), "changed_by": "SYNTH", "changed_at": f"{TODAY}T09:00:00Z"}
            for r in made.records])
        with store.db.transaction() as conn:           # the first sync, as the engine records it
            sync_state.set_server_url(conn, "https://central.example.invalid")
            sync_state.set_last_sync(conn, clock() - LAST_SYNC)
        case = services.caseload.cases()[0]
        draft = services.contacts.new_contact(
            case.case_id, contact_type="COAP", date=TODAY.isoformat(), start_time="09:30",
            end_time="10:15", location="Probation office, interview room 2")
        services.contacts.save_draft(draft.contact.id, {"notes": (
            "Reported on time. Talked through the week: two shifts at the warehouse and the "
            "housing appointment on Thursday.\nNo concerns raised today. Next appointment agreed "
            "for 1 December.")})
        _conflict(services, case.case_id)
        _finished_call(services, services.caseload.cases()[1].case_id)
        assessments = AssessmentService.for_session(services.session, clock, officer=lambda: officer)
        summary = next(s for s in assessments.for_case(case.case_id) if s.status is AssessmentStatus.OPEN)
        view = assessments.get(summary.assessment_id)
        question = next(q for _section, q in view.template.questions()
                        if q.kind is QuestionKind.LONG_TEXT and view.overview.answers.get(q.id)
                        and view.template.sections.index(_section) > 0)
        return Scene(officer, case.case_id, draft.contact.id, view.assessment_id, question.id)
    finally:
        services.session.lock()


def _finished_call(services: AppServices, case_id: str) -> None:
    """A phone call recorded and finished this morning: waiting to be sent."""
    call = services.contacts.new_contact(case_id, contact_type="CTEL", date=TODAY.isoformat(),
                                         start_time="08:45", end_time="08:55", outcome="ATTC")
    services.contacts.save_draft(call.contact.id, {"notes": "Phoned to move Thursday's appointment "
                                                            "to the afternoon; agreed."})
    finished = services.contacts.finish(call.contact.id)
    assert finished.validation.ok, "the made-up phone call did not pass Finish"


def _conflict(services: AppServices, case_id: str) -> None:
    """A contact changed here and on the central system, as the sync engine stores the answer."""
    store = services.session.store
    contact = next(c for c in store.records.all("contact")
                   if c.fields.get("case_id") == case_id and c.fields.get("notes"))
    services.contacts.save_draft(contact.id, {"notes": f"{contact.fields['notes']} Phoned afterwards "
                                                       "to confirm the new address."})
    with store.db.transaction() as conn:
        mutation = outbox.latest_for(conn, "contact", contact.id)
        assert mutation is not None
        server = {**contact.fields, "notes": f"{contact.fields['notes']} Address changed by the "
                                             "office after a call from the hostel."}
        answer = {"result": "conflict", "version": None, "auto_merged": False, "reason": None,
                  "server_record": {"record_type": "contact", "record_id": contact.id, "version": 2,
                                    "deleted": False, "fields": server, "changed_by": "N07B221",
                                    "changed_at": f"{TODAY}T08:40:00+00:00"},
                  "changed_by": "N07B221", "changed_at": f"{TODAY}T08:40:00+00:00"}
        reconcile.conflict(conn, store.records, mutation, answer, clock())


OFFSCREEN_LIMITS = ("This plugin does not support propagateSizeHints()",
                    "This plugin does not support raise()")


def quiet_offscreen_limits(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's offscreen plugin says it cannot do what only a real window system does; all else is shown."""
    if message not in OFFSCREEN_LIMITS:
        sys.stderr.write(message + "\n")


def fewer_colours(image: QImage) -> QImage:
    """The picture in its 256 commonest colours, each other pixel as the nearest of them: a
    screen of flat colours and anti-aliased text looks the same and its PNG is about 60 % smaller."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = array.array("I", bytes(rgb.constBits())[:rgb.width() * rgb.height() * 4])
    table = [colour for colour, _count in collections.Counter(pixels).most_common(256)]
    return rgb.convertToFormat(QImage.Format.Format_Indexed8, table,
                               Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither)


class Camera:
    def __init__(self, app: QApplication, out: Path) -> None:
        self.app = app
        self.out = out
        self.written: list[Path] = []

    def settle(self) -> None:
        for _ in range(3):                 # layouts settle over a few passes
            self.app.processEvents()

    def shoot(self, widget: QWidget, name: str, *, part: QWidget | None = None) -> None:
        """``widget`` shown (a dialog at its own size, any other window at the screen's);
        ``part`` draws only that part of it (the status bar)."""
        if not isinstance(widget, QDialog):
            widget.resize(WIDTH, HEIGHT)
        widget.show()
        self.settle()
        image = fewer_colours((part or widget).grab().toImage())
        path = self.out / name
        writer = QImageWriter(str(path), QByteArray(b"png"))
        writer.setQuality(0)                      # for PNG: the strongest compression
        if not writer.write(image):
            raise OSError(f"could not write {path}: {writer.errorString()}")
        self.written.append(path)


@contextmanager
def window_for(app: QApplication, services: AppServices, theme: str, text_size: int) -> Iterator[MainWindow]:
    """The main window as the officer's settings file would have it; back to the system look after."""
    SettingsFile(services.paths.settings_file.with_name("display.ini")).save(
        DisplaySettings(theme=Theme(theme), text_size=text_size))
    window = make_window(services, app)
    try:
        yield window
    finally:
        services.session.lock()
        window.close()
        if window.theme_applier is not None:
            window.theme_applier.apply_system()


def show_sync(window: MainWindow, services: AppServices, **changes: object) -> None:
    """The status bar as the sync link shows it: the service's real counts, the connection given."""
    status = replace(services.sync.refresh(), **changes)  # type: ignore[arg-type]
    window.status.show_status(bar_status(status, clock()))


def shoot_variant(camera: Camera, services: AppServices, scene: Scene, theme: str, text_size: int) -> None:
    def name(screen: str) -> str:
        return file_name(screen, theme, text_size)

    with window_for(camera.app, services, theme, text_size) as window:
        camera.shoot(window, name("unlock"))
        services.session.unlock(PASSPHRASE)
        show_sync(window, services, online=True, signed_in=True)
        camera.shoot(window, name("caseload"))
        window.open_case(scene.case_id)
        camera.shoot(window, name("case"))
        editor = window.open_contact(scene.contact_id)
        camera.shoot(editor, name("contact-editor"))
        editor.close()
        window.show_diary()
        camera.shoot(window, name("diary"))
        window.show_attention()
        camera.shoot(window, name("needs-attention"))
        chooser = window.attention_screen.open_current()
        assert chooser is not None, "the made-up conflict is missing"
        camera.shoot(chooser, name("needs-attention-chooser"))
        chooser.reject()
        settings = window.show_settings()
        camera.shoot(settings, name("settings"))
        settings.reject()
        window.show_caseload()
        show_sync(window, services, online=False, signed_in=True)
        camera.shoot(window, name("sync-status-offline"), part=window.status)
        show_sync(window, services, online=False, signed_in=False)
        camera.shoot(window, name("sync-status-signed-out"), part=window.status)
        show_sync(window, services, online=True, signed_in=True)
        assessment = window.open_assessment(scene.assessment_id)
        assert assessment is not None, "the main window did not open the made-up assessment"
        assessment.focus_question(scene.question_id)        # a section in progress, answers showing
        camera.shoot(assessment, name("assessment-section"))
        assessment.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots",
                        help="folder for the PNG files (default: docs/screenshots)")
    parser.add_argument("--quick", action="store_true", help="only the light theme at 100 %% text")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="caseclient-screenshots-") as folder:
        use_laptop_screen(Path(folder))
        qInstallMessageHandler(quiet_offscreen_limits)
        app = QApplication([sys.argv[0]])
        paths = AppPaths.resolve(Path(folder) / "home")
        scene = make_profile(paths)
        services = services_for(paths)
        camera = Camera(app, args.out)
        for theme, text_size in variants(args.quick):
            shoot_variant(camera, services, scene, theme, text_size)
    for path in camera.written:
        print(path.relative_to(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
