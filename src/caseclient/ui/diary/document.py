"""The week's diary as a printable document, written to PDF with QPdfWriter (offline).

HTML through ``QTextDocument``: headings and a real table, so the PDF reflows at
any text size and tagged readers get the structure. Text is escaped: names and
locations are data, never markup.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from caseclient.domain.records import Appointment
from caseclient.ui.formats import uk_date, uk_time


def diary_html(week_start: dt.date, appointments: list[Appointment], officer: str) -> str:
    parts = [f"<h1>Diary: week of {escape(week_start.strftime('%A'))} {uk_date(week_start)}</h1>",
             f"<p>{escape(officer)}</p>"]
    for offset in range(7):
        day = week_start + dt.timedelta(days=offset)
        todays = [a for a in appointments if a.starts_at.date() == day]
        parts.append(f"<h2>{escape(day.strftime('%A'))} {uk_date(day)}</h2>")
        if not todays:
            parts.append("<p>No appointments.</p>")
            continue
        rows = "".join(
            f"<tr><td>{uk_time(a.starts_at.time())}</td><td>{escape(a.person_name)}</td>"
            f"<td>{escape(a.crn)}</td><td>{escape(a.contact_type_label)}</td>"
            f"<td>{escape(a.location or '')}</td></tr>" for a in todays)
        parts.append('<table border="1" cellspacing="0" cellpadding="4" width="100%">'
                     "<thead><tr><th>Time</th><th>Name</th><th>CRN</th><th>Type</th><th>Location</th>"
                     f"</tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)


def write_pdf(html: str, path: Path, title: str) -> None:
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Caseclient")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Portrait)
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)
