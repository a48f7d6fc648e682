"""``protocol.loads`` (a pull page's array decoded an element at a time, so other threads run
between records) gives exactly what ``json.loads`` gives: the same value, or an error of the
same type, for any text — well formed in any layout, or damaged."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseclient.sync.protocol import loads

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)
TOP = st.dictionaries(st.text(max_size=5), VALUES | st.lists(VALUES, max_size=6), max_size=5) | VALUES
LAYOUTS = st.sampled_from([{}, {"indent": 2}, {"separators": (",", ":")}, {"indent": "\t"},
                           {"ensure_ascii": False}, {"separators": (" , ", " : "), "indent": 0}])


def outcome(decode: Any, text: str | bytes) -> tuple[str, Any]:
    try:
        return "value", decode(text)
    except ValueError as error:          # JSONDecodeError and UnicodeDecodeError both are
        return "error", type(error).__name__


@settings(max_examples=300, deadline=None)
@given(TOP, LAYOUTS, st.sampled_from(["", " ", "\n\t "]))
def test_well_formed_text_decodes_as_json_loads_does(value: Any, layout: dict[str, Any], pad: str) -> None:
    text = pad + json.dumps(value, **layout) + pad
    assert loads(text) == json.loads(text)
    for encoding in ("utf-8", "utf-16", "utf-8-sig"):
        assert loads(text.encode(encoding)) == json.loads(text.encode(encoding))


@settings(max_examples=400, deadline=None)
@given(TOP, LAYOUTS, st.data())
def test_damaged_text_fails_or_decodes_as_json_loads_does(value: Any, layout: dict[str, Any],
                                                          data: st.DataObject) -> None:
    text = json.dumps(value, **layout)
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    put = data.draw(st.sampled_from(["", ",", "]", "}", "[", "{", '"', ":", " ", "x", "1"]))
    damaged = text[:at] + put + text[at + cut:]
    assert outcome(loads, damaged) == outcome(json.loads, damaged)


@pytest.mark.parametrize("text", [
    '{"changes": [], "has_more": false}', '{"a": 1, "a": [2, 3]}', '{"a": [1, 2], "a": 3}',
    '{"changes": [{"x": [1, [2]]}, 2 , "3" ]}', "[1, 2]", '"text"', "{}", " { } ",
    '{"a": [1,]}', '{"a": [1 2]}', '{"a" 1}', '{"a": 1,}', '{"a": 1} x', "", "\ufeff{}",
    '{"a": NaN, "b": [Infinity, -Infinity]}', '{1: 2}', '{"a": [', '{"a": "\\ud800"}'])
def test_edges_decode_as_json_loads_does(text: str) -> None:
    assert outcome(loads, text) == outcome(json.loads, text)
    if not text.startswith("\ufeff"):
        assert outcome(loads, text.encode()) == outcome(json.loads, text.encode())
