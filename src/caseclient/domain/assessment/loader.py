"""Read a template from JSON into the typed model, with every problem in plain English.

The loader checks everything the JSON Schema (``template.schema.json``) says and
the rules a schema cannot say: ids unique across the template, conditions that
read only earlier questions with values those questions can hold, links that
point at yes/no questions of the same section, thresholds a section can reach.
It collects every problem before giving up, so a template author fixes them in
one go.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from caseclient.domain.assessment.answers import usable
from caseclient.domain.assessment.template import (
    AllOf,
    AnswerIn,
    AnyOf,
    Condition,
    Option,
    Predictor,
    Question,
    QuestionKind,
    RiskGroup,
    Section,
    SectionKind,
    Template,
)
from caseclient.domain.canonical import JSONValue

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")        # as answer field names allow
TEMPLATE_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_WEIGHT = 10


class TemplateError(ValueError):
    """A template that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("The assessment template cannot be used:\n- " + "\n- ".join(problems))


_TOP_KEYS = {"template_id", "version", "title", "sections", "predictors", "$schema", "description"}
_SECTION_KEYS = {"id", "number", "title", "kind", "help", "shown_when", "threshold", "harm_link",
                 "offending_link", "risk_groups", "questions"}
_QUESTION_KEYS = {"id", "kind", "text", "help", "mandatory", "weight", "options", "shown_when",
                  "copy_forward"}


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.seen: dict[str, Question] = {}   # questions read so far, in template order
        self.section_ids: set[str] = set()

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def text(self, obj: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        if key not in obj and not required:
            return ""
        value = obj.get(key)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(where, f"'{key}' must be {'non-empty ' if required else ''}text.")
            return ""
        return value

    def flag(self, obj: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.problem(where, f"'{key}' must be true or false.")
            return default
        return value

    def unknown_keys(self, obj: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(obj) - allowed):
            self.problem(where, f"'{key}' is not a known setting (check the spelling).")

    def ident(self, obj: Mapping[str, Any], where: str) -> str:
        value = obj.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(where, "'id' must be 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                                "starting with a letter or digit.")
            return ""
        return value

    # conditions ------------------------------------------------------------

    def condition(self, raw: Any, where: str) -> Condition | None:
        if not isinstance(raw, dict):
            self.problem(where, "a condition must be an object with 'any', 'all' or 'question'.")
            return None
        kinds = [key for key in ("any", "all", "question") if key in raw]
        if len(kinds) != 1:
            self.problem(where, "a condition needs exactly one of 'any', 'all' or 'question'.")
            return None
        if kinds[0] in ("any", "all"):
            self.unknown_keys(raw, {kinds[0]}, where)
            parts = raw[kinds[0]]
            if not isinstance(parts, list) or not parts:
                self.problem(where, f"'{kinds[0]}' must be a non-empty list of conditions.")
                return None
            read = [self.condition(part, where) for part in parts]
            if any(part is None for part in read):
                return None
            found = tuple(part for part in read if part is not None)
            return AnyOf(found) if kinds[0] == "any" else AllOf(found)
        self.unknown_keys(raw, {"question", "equals", "in"}, where)
        question_id = raw["question"]
        target = self.seen.get(question_id) if isinstance(question_id, str) else None
        if target is None:
            self.problem(where, f"the condition reads question '{question_id}', which is not an "
                                "earlier question of this template.")
            return None
        if ("equals" in raw) == ("in" in raw):
            self.problem(where, "a condition on a question needs exactly one of 'equals' or 'in'.")
            return None
        values: list[JSONValue] = [raw["equals"]] if "equals" in raw else raw["in"]
        if not isinstance(values, list) or not values:
            self.problem(where, "'in' must be a non-empty list of answers.")
            return None
        for value in values:
            if not usable(target, value):
                self.problem(where, f"question '{question_id}' can never be answered "
                                    f"{json.dumps(value)}.")
                return None
        return AnswerIn(question_id, tuple(values))

    # questions and sections ------------------------------------------------

    def question(self, raw: Any, where: str) -> Question | None:
        if not isinstance(raw, dict):
            self.problem(where, "each question must be an object.")
            return None
        qid = self.ident(raw, where)
        where = f"question '{qid}'" if qid else where
        self.unknown_keys(raw, _QUESTION_KEYS, where)
        if qid in self.seen:
            self.problem(where, "another question already has this id.")
        kind_raw = raw.get("kind")
        try:
            kind = QuestionKind(kind_raw if isinstance(kind_raw, str) else "")
        except ValueError:
            known = ", ".join(k.value for k in QuestionKind)
            self.problem(where, f"the kind {json.dumps(kind_raw)} is not known; use one of {known}.")
            return None
        text = self.text(raw, "text", where)
        help_text = self.text(raw, "help", where, required=False)
        mandatory = self.flag(raw, "mandatory", where, False)
        copy_forward = self.flag(raw, "copy_forward", where, True)
        weight = raw.get("weight", 1)
        if "weight" in raw and kind is not QuestionKind.SCORE:
            self.problem(where, "only score questions have a weight.")
        elif not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
            self.problem(where, f"'weight' must be a whole number from 1 to {MAX_WEIGHT}.")
            weight = 1
        options = self.options(raw, kind, where)
        shown_when = self.condition(raw["shown_when"], where) if "shown_when" in raw else None
        if not qid:
            return None
        question = Question(id=qid, kind=kind, text=text, help=help_text, mandatory=mandatory,
                            weight=weight, options=options, shown_when=shown_when,
                            copy_forward=copy_forward)
        self.seen.setdefault(qid, question)
        return question

    def options(self, raw: Mapping[str, Any], kind: QuestionKind, where: str) -> tuple[Option, ...]:
        if kind is not QuestionKind.CHOICE:
            if "options" in raw:
                self.problem(where, "only choice questions have options.")
            return ()
        listed = raw.get("options")
        if not isinstance(listed, list) or not listed:
            self.problem(where, "a choice question needs a non-empty list of options.")
            return ()
        options: list[Option] = []
        for index, item in enumerate(listed):
            spot = f"{where}, option {index + 1}"
            if not isinstance(item, dict) or set(item) != {"value", "label"}:
                self.problem(spot, "an option is an object with exactly 'value' and 'label'.")
                continue
            value, label = self.text(item, "value", spot), self.text(item, "label", spot)
            if value in {o.value for o in options}:
                self.problem(spot, f"the value '{value}' is listed twice.")
            options.append(Option(value, label))
        return tuple(options)

    def section(self, raw: Any, where: str) -> Section | None:
        if not isinstance(raw, dict):
            self.problem(where, "each section must be an object.")
            return None
        sid = self.ident(raw, where)
        where = f"section '{sid}'" if sid else where
        self.unknown_keys(raw, _SECTION_KEYS, where)
        if sid in self.section_ids:
            self.problem(where, "another section already has this id.")
        self.section_ids.add(sid)
        try:
            kind = SectionKind(str(raw.get("kind", "")))
        except ValueError:
            known = ", ".join(k.value for k in SectionKind)
            self.problem(where, f"the kind {json.dumps(raw.get('kind'))} is not known; use one of {known}.")
            return None
        number = self.text(raw, "number", where, required=False)
        title = self.text(raw, "title", where)
        help_text = self.text(raw, "help", where, required=False)
        shown_when = self.condition(raw["shown_when"], where) if "shown_when" in raw else None
        listed = raw.get("questions")
        if not isinstance(listed, list) or not listed:
            self.problem(where, "a section needs a non-empty list of questions.")
            listed = []
        questions = [self.question(item, f"{where}, question {i + 1}") for i, item in enumerate(listed)]
        found = tuple(q for q in questions if q is not None)
        mine = {q.id: q for q in found}
        harm = self.link(raw, "harm_link", mine, where)
        offending = self.link(raw, "offending_link", mine, where)
        threshold = self.threshold(raw, kind, found, where)
        if kind is SectionKind.NEEDS and not {"harm_link", "offending_link"} <= set(raw):
            self.problem(where, "a needs section must name its 'harm_link' and 'offending_link' "
                                "questions.")
        groups = self.risk_groups(raw, kind, mine, where)
        if not sid:
            return None
        return Section(id=sid, number=number, title=title, kind=kind, questions=found,
                       help=help_text, shown_when=shown_when, threshold=threshold, harm_link=harm,
                       offending_link=offending, risk_groups=groups)

    def link(self, raw: Mapping[str, Any], key: str, mine: Mapping[str, Question], where: str) -> str | None:
        if key not in raw:
            return None
        qid = raw[key]
        question = mine.get(qid) if isinstance(qid, str) else None
        if question is None or question.kind is not QuestionKind.YES_NO:
            self.problem(where, f"'{key}' must name a yes/no question of this section.")
            return None
        return str(qid)

    def threshold(self, raw: Mapping[str, Any], kind: SectionKind, questions: tuple[Question, ...],
                  where: str) -> int | None:
        scored = [q for q in questions if q.scored]
        if kind is not SectionKind.NEEDS:
            if "threshold" in raw:
                self.problem(where, "only needs sections have a threshold.")
            if scored:
                self.problem(where, "only needs sections have score questions.")
            return None
        value = raw.get("threshold")
        most = sum(2 * q.weight for q in scored)
        if not scored:
            self.problem(where, "a needs section needs at least one score question.")
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            self.problem(where, f"'threshold' must be a whole number from 1 to {most}, the most "
                                "this section can score.")
            return None
        return value

    def risk_groups(self, raw: Mapping[str, Any], kind: SectionKind, mine: Mapping[str, Question],
                    where: str) -> tuple[RiskGroup, ...]:
        if kind is not SectionKind.ROSH_SUMMARY:
            if "risk_groups" in raw:
                self.problem(where, "only the RoSH summary has risk groups.")
            return ()
        listed = raw.get("risk_groups")
        if not isinstance(listed, list) or not listed:
            self.problem(where, "the RoSH summary needs a non-empty list of risk groups.")
            return ()
        groups: list[RiskGroup] = []
        for index, item in enumerate(listed):
            spot = f"{where}, risk group {index + 1}"
            if not isinstance(item, dict) or set(item) != {"id", "label", "community", "custody"}:
                self.problem(spot, "a risk group is an object with exactly 'id', 'label', "
                                   "'community' and 'custody'.")
                continue
            levels = []
            for key in ("community", "custody"):
                question = mine.get(item[key]) if isinstance(item[key], str) else None
                if question is None or question.kind is not QuestionKind.RISK_LEVEL:
                    self.problem(spot, f"'{key}' must name a risk level question of this section.")
                levels.append(str(item[key]))
            group = RiskGroup(self.ident(item, spot), self.text(item, "label", spot), *levels)
            if group.id in {g.id for g in groups}:
                self.problem(spot, f"the group '{group.id}' is listed twice.")
            groups.append(group)
        return tuple(groups)

    def predictors(self, raw: Any) -> tuple[Predictor, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self.problem("template", "'predictors' must be a list.")
            return ()
        found: list[Predictor] = []
        for index, item in enumerate(raw):
            spot = f"predictor {index + 1}"
            if not isinstance(item, dict) or set(item) != {"id", "label", "not_calculated_reason"}:
                self.problem(spot, "a predictor is an object with exactly 'id', 'label' and "
                                   "'not_calculated_reason'.")
                continue
            found.append(Predictor(self.ident(item, spot), self.text(item, "label", spot),
                                   self.text(item, "not_calculated_reason", spot)))
        return tuple(found)


def parse_template(data: Any) -> Template:
    """The typed template for parsed JSON ``data``; raises :class:`TemplateError`."""
    reader = _Reader()
    if not isinstance(data, dict):
        raise TemplateError(["template: the file must hold one JSON object."])
    reader.unknown_keys(data, _TOP_KEYS, "template")
    template_id = data.get("template_id")
    if not isinstance(template_id, str) or not TEMPLATE_ID_PATTERN.match(template_id):
        reader.problem("template", "'template_id' must be 1 to 64 lower-case letters, digits or '-'.")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        reader.problem("template", "'version' must be a whole number from 1 up.")
    title = reader.text(data, "title", "template")
    listed = data.get("sections")
    if not isinstance(listed, list) or not listed:
        reader.problem("template", "'sections' must be a non-empty list.")
        listed = []
    sections = [reader.section(item, f"section {i + 1}") for i, item in enumerate(listed)]
    predictors = reader.predictors(data.get("predictors"))
    if reader.problems:
        raise TemplateError(reader.problems)
    return Template(template_id=str(template_id), version=int(str(version)), title=title,
                    sections=tuple(s for s in sections if s is not None), predictors=predictors)


def parse_template_text(text: str, *, source: str = "template") -> Template:
    """The typed template in JSON ``text``; ``source`` names it in the error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TemplateError([f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: "
                             f"{error.msg})."]) from error
    return parse_template(data)
