"""The shipped JSON Schema, the shipped template and the loader agree."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseclient.domain.assessment.loader import TemplateError, parse_template
from caseclient.domain.assessment.registry import builtin_schema_text, builtin_template_texts
from tests.domain.assessment.builders import mutated, small_template_data
from tests.domain.assessment.schema_subset import ANNOTATIONS, UnsupportedKeyword, errors, keywords

SCHEMA: dict[str, Any] = json.loads(builtin_schema_text())
SUPPORTED = ANNOTATIONS | {"$ref", "type", "enum", "const", "pattern", "minLength", "minimum", "maximum",
                           "required", "properties", "additionalProperties", "items", "minItems",
                           "allOf", "oneOf", "not", "if", "then", "else"}


def loads(data: Any) -> bool:
    try:
        parse_template(data)
    except TemplateError:
        return False
    return True


def test_schema_is_draft_2020_12_and_uses_only_checked_keywords() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert keywords(SCHEMA) <= SUPPORTED


def test_every_shipped_template_follows_the_schema() -> None:
    texts = builtin_template_texts()
    assert texts, "no template shipped"
    for name, text in texts.items():
        assert errors(SCHEMA, json.loads(text)) == [], name


def test_small_test_template_follows_the_schema() -> None:
    assert errors(SCHEMA, small_template_data()) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.pop("title"), "$: lacks 'title'"),
    (lambda d: d.update(version="1"), "$.version: is not of type integer"),
    (lambda d: d.update(template_id="Small One"), "$.template_id: does not match ^[a-z0-9][a-z0-9-]{0,63}$"),
    (lambda d: d["sections"][0]["questions"][0].update(kind="scor"),
     "$.sections[0].questions[0].kind: is not one of"),
    (lambda d: d["sections"][0]["questions"][0].update(colour="red"),
     "$.sections[0].questions[0]: has unknown 'colour'"),
    (lambda d: d["sections"][1].pop("threshold"), "$.sections[1]: lacks 'threshold'"),
    (lambda d: d["sections"][0].update(threshold=1), "$.sections[0]: matches a schema it must not"),
    (lambda d: d["sections"][1]["questions"][0].update(weight=0),
     "$.sections[1].questions[0].weight: is below 1"),
    (lambda d: d["sections"][2].update(shown_when={"question": "gate.risk"}),
     "$.sections[2].shown_when: matches 0 of the oneOf choices"),
    (lambda d: d["sections"][0]["questions"][0].update(text="  "),
     "$.sections[0].questions[0].text: does not match \\S"),
    (lambda d: d["sections"][3].pop("risk_groups"), "$.sections[3]: lacks 'risk_groups'"),
])
def test_schema_and_loader_both_refuse_a_broken_structure(change: Any, expected: str) -> None:
    data = mutated(small_template_data())
    change(data)
    found = errors(SCHEMA, data)
    assert any(e.startswith(expected) for e in found), found
    assert not loads(data)


def test_the_checker_refuses_keywords_it_does_not_know() -> None:
    with pytest.raises(UnsupportedKeyword):
        errors({"uniqueItems": True}, [])


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


BASE = small_template_data()
PATHS = _paths(BASE)[1:]
REPLACEMENTS = st.one_of(st.none(), st.integers(-1, 12), st.booleans(),
                         st.sampled_from(["", " ", "x", "yes", "score", "needs", "LOW", "gate.risk",
                                          "s1.q1"]),
                         st.just([]), st.just({}))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATHS), st.one_of(st.just("delete"), REPLACEMENTS))
def test_whatever_the_loader_accepts_the_schema_accepts(path: tuple[Any, ...], replacement: Any) -> None:
    data = mutated(BASE)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if replacement == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    if loads(data):
        assert errors(SCHEMA, data) == []
