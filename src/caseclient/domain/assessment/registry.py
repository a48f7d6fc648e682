"""Templates by (id, version), so an assessment keeps the version it began with.

An assessment record names ``template_id`` and ``template_version``; a new
version of a template never changes an assessment already started on an older
one. The registry is an ordinary object built where the app starts (no global):
:func:`builtin_registry` reads every template shipped in
``caseclient/resources/assessments``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources

from caseclient.domain.assessment.loader import TemplateError, parse_template_text
from caseclient.domain.assessment.template import Template
from caseclient.domain.canonical import JSONValue

RESOURCE_PACKAGE = "caseclient.resources.assessments"
SCHEMA_FILE = "template.schema.json"
DEFAULT_TEMPLATE_ID = "caseclient-oasys-style"


class TemplateRegistry:
    def __init__(self, templates: Iterable[Template] = ()) -> None:
        self._templates: dict[tuple[str, int], Template] = {}
        for template in templates:
            self.add(template)

    def add(self, template: Template) -> None:
        if template.key in self._templates:
            raise TemplateError([f"template: '{template.template_id}' version {template.version} "
                                 "is registered twice."])
        self._templates[template.key] = template

    def get(self, template_id: str, version: int) -> Template | None:
        return self._templates.get((template_id, version))

    def versions(self, template_id: str) -> tuple[int, ...]:
        return tuple(sorted(v for t, v in self._templates if t == template_id))

    def latest(self, template_id: str = DEFAULT_TEMPLATE_ID) -> Template | None:
        """The newest version, which a new assessment starts on."""
        versions = self.versions(template_id)
        return self._templates[(template_id, versions[-1])] if versions else None

    def for_assessment(self, fields: Mapping[str, JSONValue]) -> Template | None:
        """The exact template version an assessment record began with, or None if unknown here."""
        template_id, version = fields.get("template_id"), fields.get("template_version")
        if not isinstance(template_id, str) or not isinstance(version, int) or isinstance(version, bool):
            return None
        return self.get(template_id, version)

    def templates(self) -> tuple[Template, ...]:
        return tuple(sorted(self._templates.values(), key=lambda t: t.key))

    def __len__(self) -> int:
        return len(self._templates)


def builtin_template_texts() -> dict[str, str]:
    """File name → JSON text of every template shipped with the app."""
    folder = resources.files(RESOURCE_PACKAGE)
    return {entry.name: entry.read_text("utf-8") for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".json") and entry.name != SCHEMA_FILE}


def builtin_schema_text() -> str:
    """The JSON Schema every template file follows."""
    return resources.files(RESOURCE_PACKAGE).joinpath(SCHEMA_FILE).read_text("utf-8")


def builtin_registry() -> TemplateRegistry:
    """Every shipped template; a broken file raises :class:`TemplateError` naming it."""
    registry = TemplateRegistry()
    for name, text in builtin_template_texts().items():
        try:
            registry.add(parse_template_text(text))
        except TemplateError as error:
            raise TemplateError([f"{name}: {p}" for p in error.problems]) from error
    return registry
