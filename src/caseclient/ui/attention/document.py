"""One record as a printable document, for the PDF export (offline, via QPdfWriter).

Values are data, never markup: every one is escaped.
"""

from __future__ import annotations

from html import escape

from caseclient.domain.canonical import JSONValue
from caseclient.services.attention import AttentionItem, AttentionService


def record_html(item: AttentionItem, fields: dict[str, JSONValue], attention: AttentionService,
                exported_at: str) -> str:
    parts = [f"<h1>{escape(item.title)}</h1>", f"<p>{escape(item.summary())}</p>",
             f"<p>Exported from Caseclient at {escape(exported_at)}.</p>"]
    if item.fields:
        rows = "".join(f"<tr><td>{escape(r.label)}</td><td>{escape(r.mine_text)}</td>"
                       f"<td>{escape(r.theirs_text if item.is_conflict else '')}</td></tr>"
                       for r in item.fields)
        parts.append("<h2>In question</h2>"
                     '<table border="1" cellspacing="0" cellpadding="4" width="100%"><thead><tr>'
                     "<th>Field</th><th>Yours</th><th>Theirs</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    rows = "".join(f"<tr><td>{escape(name.replace('_', ' ').capitalize())}</td>"
                   f"<td>{escape(attention.display(item.record_type, name, value))}</td></tr>"
                   for name, value in sorted(fields.items()))
    parts.append("<h2>The record on this laptop</h2>"
                 '<table border="1" cellspacing="0" cellpadding="4" width="100%"><thead><tr>'
                 f"<th>Field</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table>")
    return "\n".join(parts)
