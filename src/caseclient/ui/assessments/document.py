"""An assessment as a printable document, written to PDF with QPdfWriter (offline).

Everything is there: template and version, status and signatures, the summary of
scores and risk, then every section with every shown question and its answer
(long answers in full). Text is escaped: answers are data, never markup.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from caseclient.domain.assessment import SectionState
from caseclient.services.assessments import AssessmentView, status_words
from caseclient.ui.assessments.words import answer_words, progress_words, stamp_words, summary_lines
from caseclient.ui.diary.document import write_pdf

REVIEW_NOTE = " (copied from the last assessment, not yet confirmed)"


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br>")


def assessment_html(view: AssessmentView, case_title: str) -> str:
    template = view.template
    data = view.overview
    fields = view.fields

    def field(name: str) -> str:
        value = fields.get(name)
        return escape(str(value)) if value not in (None, "") else "—"

    parts = [
        f"<h1>{escape(template.title)}: {escape(case_title)}</h1>",
        f"<p>Template {escape(template.template_id)}, version {template.version}. "
        f"Status: {escape(status_words(view.status))}. Started on {field('started_on')} by "
        f"{field('assessor_code')}.</p>",
        "<h2>Signatures</h2>",
        '<table border="1" cellspacing="0" cellpadding="4" width="100%">'
        "<tr><th>Step</th><th>By</th><th>When</th></tr>"
        f"<tr><td>Signed by the assessor</td><td>{field('signed_by')}</td>"
        f"<td>{escape(stamp_words(fields.get('signed_at'))) or '—'}</td></tr>"
        f"<tr><td>Countersigned</td><td>{field('countersigned_by')}</td>"
        f"<td>{escape(stamp_words(fields.get('countersigned_at'))) or '—'}</td></tr></table>",
    ]
    comments = view.text("return_comments")
    if comments:
        parts.append(f"<p>Comments on return: {_text(comments)}</p>")
    parts.append("<h2>Summary</h2><ul>")
    parts += [f"<li>{escape(line)}</li>" for line in summary_lines(data)]
    parts.append("</ul>")
    for section in template.sections:
        progress = data.progress_of(section.id)
        parts.append(f"<h2>Section {escape(section.heading)}</h2>")
        parts.append(f"<p>{escape(progress_words(progress))}.</p>")
        if progress is not None and progress.state is SectionState.HIDDEN:
            continue
        rows = []
        for question in section.questions:
            if not data.shown.shows(question):
                continue
            words = answer_words(question, data.answers.get(question.id))
            note = REVIEW_NOTE if question.id in data.review_marks else ""
            rows.append(f"<tr><td width=\"40%\">{escape(question.text)}</td>"
                        f"<td>{_text(words)}{escape(note)}</td></tr>")
        parts.append('<table border="1" cellspacing="0" cellpadding="4" width="100%">'
                     "<tr><th>Question</th><th>Answer</th></tr>" + "".join(rows) + "</table>")
    parts.append("<p>Contains personal data: keep this document secure.</p>")
    return "\n".join(parts)


def write_assessment_pdf(view: AssessmentView, case_title: str, path: Path) -> None:
    """Raises OSError when the file cannot be written (QPdfWriter itself would fail silently)."""
    with path.open("wb"):
        pass
    write_pdf(assessment_html(view, case_title), path, f"{view.template.title}: {case_title}")
