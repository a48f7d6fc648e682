"""Opening a long assessment in its editor window.

A profile on the real composition root (an encrypted store, one synthetic case
with its locked assessment). A review is started on the case through
``AssessmentService.start`` (answers copied forward, as an officer starts one),
then every question shown is answered and the long-text answers of the 13 main
sections (``s1``–``s13``) are written out to about 50 kB in all — a long, nearly
finished assessment. Each round opens it as the app does when the officer presses
Enter on it in the case view: ``MainWindow.open_assessment(id)`` (the main window
shown, 1200 × 800, offscreen) reads the record and its case for the title, then
``AssessmentWindows.open`` builds the section list and the page on screen (other
pages are built when first visited: docs/performance.md), fills it and shows the
editor window at the main window's size. The clock stops when
the window has painted and the posted events are handled; the window is then
closed (it deletes itself) and the next round opens it anew. The first open of
the run pays one-time costs (fonts, styles) and is shown on its own line.
Target 300 ms. ``AssessmentService.get`` alone is given beside it, to show how
much is reading rather than building widgets.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from tests.ui.assessments.answers import sample_answer

from benchmarks.caseloads import PASSPHRASE, caseload, load, profile, wire_changes
from benchmarks.qtapp import application
from benchmarks.table import BenchRow, median, percentile
from caseclient.app import AppServices
from caseclient.domain.assessment import QuestionKind, Template, next_unanswered
from caseclient.domain.canonical import JSONValue
from caseclient.services.assessments import AssessmentService
from caseclient.storage.kdf import KdfParams
from caseclient.ui.main_window import MainWindow

FULL_ROUNDS = 20
QUICK_ROUNDS = 2
FULL_TEXT_BYTES = 50_000
QUICK_TEXT_BYTES = 5_000
MAIN_SECTIONS = tuple(f"s{n}" for n in range(1, 14))
TARGET_MS = 300.0
EVIDENCE = ("Discussed at length in supervision and at the home visit. He says things are more settled "
            "since the move, though money is still tight and the arrears letter worried him. Agreed "
            "to bring the tenancy papers next time and to ring the housing officer before Friday. ")


def _answer(template: Template, question_id: str, long_text: str) -> JSONValue:
    """The tests' sample answer (medium risk), the long text for free text in a main section."""
    question = template.question(question_id)
    if question is None:
        raise LookupError(question_id)
    if question.kind is QuestionKind.LONG_TEXT and question_id.partition(".")[0] in MAIN_SECTIONS:
        return long_text
    return sample_answer(template, question_id, risk="MEDIUM")


def long_answers(template: Template, text_bytes: int) -> dict[str, JSONValue]:
    """Every shown question answered; the main sections' long texts share ``text_bytes``."""
    long_questions = [q for s, q in template.questions()
                      if s.id in MAIN_SECTIONS and q.kind is QuestionKind.LONG_TEXT]
    each = max(1, text_bytes // max(1, len(long_questions)))
    long_text = (EVIDENCE * (each // len(EVIDENCE) + 1))[:each].rstrip()
    answers: dict[str, JSONValue] = {}
    while (ref := next_unanswered(template, answers)) is not None:
        answers[ref.question_id] = _answer(template, ref.question_id, long_text)
    return answers


def written(services: AppServices, text_bytes: int) -> tuple[AssessmentService, str, int]:
    """The service, the id of the long open assessment, and the UTF-8 size of its answers."""
    services.session.set_up(PASSPHRASE)
    load(services.session.store, wire_changes(caseload(1, 0, in_progress=False)))
    assessments = services.assessments
    case_id = services.caseload.cases()[0].case_id
    started = assessments.start(case_id).view
    answers = long_answers(started.template, text_bytes)
    saved = assessments.save_answers(started.assessment_id, answers)
    if saved.refusal is not None or saved.errors:
        raise RuntimeError(f"the benchmark's answers were not taken ({len(saved.errors)} problems)")
    stored = assessments.get(started.assessment_id).overview.answers
    size = sum(len(v.encode()) for v in stored.values() if isinstance(v, str))
    return assessments, started.assessment_id, size


def measure(rounds: int, folder: Path, text_bytes: int) -> tuple[list[float], list[float], int, int]:
    """Seconds per open and per ``AssessmentService.get``; text bytes; sections shown."""
    services = profile(folder / "home", KdfParams.for_tests())
    assessments, assessment_id, size = written(services, text_bytes)
    window = MainWindow(services)
    window.resize(1200, 800)
    window.show()
    QCoreApplication.processEvents()
    windows = window.case_view.assessment_windows
    if windows is None:
        raise RuntimeError("the main window does not offer assessments")
    opens: list[float] = []
    reads: list[float] = []
    sections = 0
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            assessments.get(assessment_id)
            reads.append(time.perf_counter() - start)
            start = time.perf_counter()
            editor = window.open_assessment(assessment_id)
            if editor is None:
                raise RuntimeError("the assessment did not open")
            editor.repaint()
            QCoreApplication.processEvents()
            opens.append(time.perf_counter() - start)
            sections = editor.section_model.rowCount()
            editor.close()
            QCoreApplication.processEvents()
            if windows.editors:
                raise RuntimeError("the assessment editor did not close")
    finally:
        window.close()            # locks the session: the store closes
        window.deleteLater()
        QCoreApplication.processEvents()
    return opens, reads, size, sections


def run(quick: bool = False) -> list[BenchRow]:
    application()
    rounds, text_bytes = (QUICK_ROUNDS, QUICK_TEXT_BYTES) if quick else (FULL_ROUNDS, FULL_TEXT_BYTES)
    with tempfile.TemporaryDirectory(prefix="caseclient-bench-assessment-") as folder:
        opens, reads, size, sections = measure(rounds, Path(folder), text_bytes)
    open_ms = [s * 1000 for s in opens]
    what = f"assessment open, {size / 1000:.0f} kB of answers, {sections} sections"
    return [
        BenchRow(f"{what} p50 ({rounds} opens)", median(open_ms), "ms", target_abs=TARGET_MS),
        BenchRow(f"{what} p99 ({rounds} opens)", percentile(open_ms, 0.99), "ms", target_abs=TARGET_MS),
        BenchRow(f"  first open of the run ({what})", open_ms[0], "ms"),
        BenchRow(f"  of which AssessmentService.get p50 ({rounds} reads)", median(reads) * 1000, "ms"),
    ]
