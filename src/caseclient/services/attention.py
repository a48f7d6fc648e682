"""AttentionService: the "Needs attention" list in words, and the per-field chooser's values.

Wraps :class:`SyncService` (which owns resolving and dismissing) with what the
screen shows: which record, what happened, when and by whom, and for each field
in conflict its label, my value and theirs as text. An edited value typed by the
officer is read back to its wire type and checked like any other change, so a
bad entry gets a plain message and nothing is sent. An assessment's answer
(``answer.<question id>``) is named by its section and question text from the
assessment's own template version, and worded as the assessment editor words it.
Runs on the UI thread.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from caseclient.domain.assessment import Question, QuestionKind, TemplateRegistry, check_answer
from caseclient.domain.canonical import JSONValue
from caseclient.domain.reference import ReferenceData
from caseclient.domain.schema import ANSWER_PREFIX, FieldKind, FieldSpec, check_value, parse_date, spec_for
from caseclient.errors import KnownError
from caseclient.services.sync import SyncService
from caseclient.storage.store import Store
from caseclient.sync.conflicts import Choice, Conflict, Edited, FieldDifference, Pick, Rejection

__all__ = ["AttentionItem", "AttentionService", "BadEdit", "Choice", "Conflict", "Edited", "FieldRow",
           "Pick", "Rejection"]


class BadEdit(KnownError):
    message = "That value cannot be used."


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    kind: FieldKind
    mine: JSONValue
    theirs: JSONValue
    mine_text: str
    theirs_text: str
    question: Question | None = None     # an assessment answer's question, when its template is here
    section: str = ""                    # and the heading of its section ("3. Accommodation")


@dataclass(frozen=True)
class AttentionItem:
    source: Conflict | Rejection
    record_type: str
    record_id: str
    title: str                 # "Contact on 24/11/2026 — Ann Example (X123456)"
    happened: str              # what happened, in a sentence
    when: str                  # "24/11/2026 12:03" or ""
    who: str                   # who changed it on the central system, or ""
    fields: tuple[FieldRow, ...]

    @property
    def is_conflict(self) -> bool:
        return isinstance(self.source, Conflict)

    @property
    def key(self) -> str:
        return self.source.mutation_id

    def summary(self) -> str:
        """One line for the list: record, what happened, when, who."""
        parts = [self.title, self.happened]
        if self.who:
            parts.append(f"by {self.who}")
        if self.when:
            parts.append(self.when)
        return " — ".join(parts)


def _uk_date(value: str) -> str:
    day = parse_date(value)
    return value if day is None else day.strftime("%d/%m/%Y")


def _when(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d/%m/%Y %H:%M")


AnswerWords = Callable[[Question, JSONValue], str]


class AttentionService:
    def __init__(self, sync: SyncService, store: Callable[[], Store],
                 reference: Callable[[], ReferenceData], *, registry: TemplateRegistry | None = None,
                 answer_words: AnswerWords | None = None) -> None:
        """``registry`` names assessment answers by their questions; ``answer_words`` words an
        answer as the assessment editor does (the UI's, so both say the same)."""
        self.sync = sync
        self._store = store
        self._reference = reference
        self._registry = registry
        self._answer_words = answer_words

    # ---- the list ------------------------------------------------------------------------------
    def items(self) -> list[AttentionItem]:
        return [self._item(source) for source in self.sync.needing_attention()]

    def _item(self, source: Conflict | Rejection) -> AttentionItem:
        title = self.record_title(source.record_type, source.record_id)
        if isinstance(source, Conflict):
            if source.deleted_by_server:
                happened = "Deleted on the central system while you changed it here"
            elif source.deleted_by_me:
                happened = "Changed on the central system while you deleted it here"
            else:
                happened = "Changed on the central system while you changed it here"
                if source.kept:
                    # Not asked about (decision 0033), so said: the officer knows they stand.
                    others = "other change" if len(source.kept) == 1 else "other changes"
                    happened += f"; your {len(source.kept)} {others} will be kept"
            questions = self._questions(source.record_type, source.record_id)
            rows = tuple(self._row(source.record_type, d, questions) for d in source.fields)
            return AttentionItem(source, source.record_type, source.record_id, title, happened,
                                 _when(source.changed_at), source.changed_by or "", rows)
        verb = {"create": "new record", "update": "change", "delete": "deletion"}.get(source.op, "change")
        happened = f"Your {verb} was refused: {source.reason}"
        questions = self._questions(source.record_type, source.record_id)
        rows = tuple(self._row(source.record_type, FieldDifference(name, value, None), questions)
                     for name, value in sorted(source.fields.items()))
        return AttentionItem(source, source.record_type, source.record_id, title, happened, "", "", rows)

    def record_title(self, record_type: str, record_id: str) -> str:
        spec = spec_for(record_type)
        label = (spec.label if spec else record_type).capitalize()
        records = self._store().records
        stored = records.get(record_type, record_id)
        if stored is None:
            return label
        fields = stored.fields
        if record_type == "contact":
            date = fields.get("date")
            kind = self.display(record_type, "contact_type", fields.get("contact_type"))
            if isinstance(date, str):
                label = f"{kind if fields.get('contact_type') else label} on {_uk_date(date)}"
        elif record_type == "register":
            label = f"Register: {self.display(record_type, 'register_type', fields.get('register_type'))}"
        case_id = fields.get("case_id")
        case = records.get("case", case_id) if isinstance(case_id, str) else None
        if case is not None:
            first, last, crn = (case.fields.get(k) for k in ("first_name", "last_name", "crn"))
            label += f" — {first} {last} ({crn})"
        return label

    # ---- values as text ------------------------------------------------------------------------
    def _spec(self, record_type: str, field: str) -> FieldSpec:
        record = spec_for(record_type)
        found = record.field(field) if record else None
        return found or FieldSpec(field, FieldKind.TEXT, label=field.replace("_", " "))

    def _questions(self, record_type: str, record_id: str) -> Callable[[str], tuple[str, Question] | None]:
        """For an assessment: question id → (section heading, question) in its template version."""
        stored = self._store().records.get(record_type, record_id) if record_type == "assessment" else None
        template = None if stored is None or self._registry is None else \
            self._registry.for_assessment(stored.fields)
        if template is None:
            return lambda _question_id: None

        def find(question_id: str) -> tuple[str, Question] | None:
            question, section = template.question(question_id), template.section_of(question_id)
            return None if question is None or section is None else (section.heading, question)
        return find

    def _row(self, record_type: str, difference: FieldDifference,
             questions: Callable[[str], tuple[str, Question] | None]) -> FieldRow:
        spec = self._spec(record_type, difference.name)
        found = questions(difference.name.removeprefix(ANSWER_PREFIX)) \
            if difference.name.startswith(ANSWER_PREFIX) else None
        if found is not None:
            heading, question = found
            return FieldRow(difference.name, f"{heading}: {question.text}", spec.kind, difference.mine,
                            difference.theirs, self._answer_text(question, difference.mine),
                            self._answer_text(question, difference.theirs), question, heading)
        return FieldRow(difference.name, spec.label.capitalize(), spec.kind, difference.mine,
                        difference.theirs,
                        self.display(record_type, difference.name, difference.mine),
                        self.display(record_type, difference.name, difference.theirs))

    def _answer_text(self, question: Question, value: JSONValue) -> str:
        if value is None or value == "":
            return "(empty)"
        if self._answer_words is not None:
            return self._answer_words(question, value)
        return self.display("assessment", ANSWER_PREFIX + question.id, value)

    def display(self, record_type: str, field: str, value: JSONValue) -> str:
        """A value as the officer reads it: labels for codes, UK dates, Yes/No, "(empty)"."""
        if value is None or value == "":
            return "(empty)"
        spec = self._spec(record_type, field)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if spec.kind is FieldKind.CODE and isinstance(value, str):
            return self._code_label(spec.ref, value)
        if spec.kind is FieldKind.DATE and isinstance(value, str):
            return _uk_date(value)
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return str(value)

    def _code_label(self, ref: str | None, code: str) -> str:
        reference = self._reference()
        lists: Mapping[str, Mapping[str, object]] = {
            "contact_type": reference.contact_types, "outcome": reference.outcomes,
            "enforcement": reference.enforcements, "register_type": reference.register_types,
            "order_type": reference.order_types}
        entry = lists.get(ref or "", {}).get(code)
        label = getattr(entry, "label", None)
        return label if isinstance(label, str) else code

    def edit_text(self, row: FieldRow) -> str:
        """What the Edit box starts with: my value, as it would be typed."""
        value = row.mine
        if value is None:
            return ""
        dated = row.question.kind is QuestionKind.DATE if row.question is not None else \
            row.kind is FieldKind.DATE
        if dated and isinstance(value, str):
            return _uk_date(value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def parse_edit(self, record_type: str, row: FieldRow, text: str) -> JSONValue:
        """The typed value in its wire type, or :class:`BadEdit` saying what is wrong."""
        if row.question is not None:
            return self._parse_answer(row, row.question, text)
        spec = self._spec(record_type, row.name)
        stripped = text.strip()
        value: JSONValue
        if not stripped and spec.kind is not FieldKind.LONG_TEXT:
            value = None
        elif spec.kind is FieldKind.BOOL:
            answers = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
            if stripped.lower() not in answers:
                raise BadEdit(f"{row.label}: type Yes or No.")
            value = answers[stripped.lower()]
        elif spec.kind is FieldKind.INT:
            try:
                value = int(stripped)
            except ValueError:
                raise BadEdit(f"{row.label}: type a whole number.") from None
        elif spec.kind is FieldKind.DATE:
            value = _iso_date(stripped)
            if value is None:
                raise BadEdit(f"{row.label}: type a date as 24/11/2026.")
        elif spec.kind in (FieldKind.JSON, FieldKind.ANSWER):
            try:
                value = json.loads(stripped)
            except ValueError:
                if spec.kind is FieldKind.JSON:
                    raise BadEdit(f"{row.label}: this field holds a list; choose mine or theirs.") from None
                value = stripped
        elif spec.kind is FieldKind.LONG_TEXT:
            value = text
        else:
            value = stripped
        problem = check_value(spec, value)
        if problem is not None:
            raise BadEdit(problem)
        return value

    def _parse_answer(self, row: FieldRow, question: Question, text: str) -> JSONValue:
        """A typed answer (text or a date); answers chosen from a list come from :meth:`check_edit`."""
        stripped = text.strip()
        value: JSONValue
        if question.kind is QuestionKind.LONG_TEXT:
            value = text if stripped else None
        elif not stripped:
            value = None
        elif question.kind is QuestionKind.DATE:
            value = _iso_date(stripped)
            if value is None:
                raise BadEdit(f"{question.text}: type a date as 24/11/2026.")
        elif question.kind is QuestionKind.TEXT:
            value = stripped
        else:
            raise BadEdit(f"{question.text}: choose an answer from the list.")
        return self.check_edit(row, value)

    def check_edit(self, row: FieldRow, value: JSONValue) -> JSONValue:
        """An edited value as it will be sent, or :class:`BadEdit` when it does not fit."""
        if row.question is None:
            raise TypeError("only an assessment answer is edited as a value")
        problem = check_answer(row.question, value) or check_value(self._spec("assessment", row.name), value)
        if problem is not None:
            raise BadEdit(f"{row.question.text}: {problem}")
        return value

    # ---- acting --------------------------------------------------------------------------------
    def resolve(self, item: AttentionItem, choices: Mapping[str, Choice], *,
                keep_deleted: bool | None = None) -> None:
        if not isinstance(item.source, Conflict):
            raise TypeError("only a conflict is resolved")
        self.sync.resolve(item.source, choices, keep_deleted=keep_deleted)

    def dismiss(self, item: AttentionItem) -> None:
        if not isinstance(item.source, Rejection):
            raise TypeError("only a refusal is dismissed")
        self.sync.dismiss(item.source)


def _iso_date(text: str) -> str | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None
