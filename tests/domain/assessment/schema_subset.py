"""A small checker for the part of JSON Schema draft 2020-12 the template schema uses.

``jsonschema`` is not a dependency, so this checks the shipped schema and template
against each other. Any keyword it does not know raises, so the schema cannot
quietly use something this checker would ignore.
"""

from __future__ import annotations

import re
from typing import Any

ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "$comment"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class UnsupportedKeyword(Exception):
    pass


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise UnsupportedKeyword(f"only local references are supported: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return dict(node)


def errors(schema: dict[str, Any], value: Any, root: dict[str, Any] | None = None,
           path: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as "path: reason"."""
    root = schema if root is None else root
    found: list[str] = []
    for key, rule in schema.items():
        if key in ANNOTATIONS or key in ("then", "else"):
            continue
        if key == "$ref":
            found += errors(_resolve(root, rule), value, root, path)
        elif key == "type":
            names = rule if isinstance(rule, list) else [rule]
            if not any(_TYPES[name](value) for name in names):
                found.append(f"{path}: is not of type {'/'.join(names)}")
        elif key == "enum":
            if value not in rule:
                found.append(f"{path}: is not one of {rule}")
        elif key == "const":
            if value != rule or type(value) is not type(rule):
                found.append(f"{path}: is not {rule!r}")
        elif key == "pattern":
            if isinstance(value, str) and re.search(rule, value) is None:
                found.append(f"{path}: does not match {rule}")
        elif key == "minLength":
            if isinstance(value, str) and len(value) < rule:
                found.append(f"{path}: is shorter than {rule}")
        elif key in ("minimum", "maximum"):
            if _TYPES["number"](value) and (value < rule if key == "minimum" else value > rule):
                found.append(f"{path}: is {'below' if key == 'minimum' else 'above'} {rule}")
        elif key == "required":
            if isinstance(value, dict):
                found += [f"{path}: lacks '{name}'" for name in rule if name not in value]
        elif key == "properties":
            if isinstance(value, dict):
                for name, sub in rule.items():
                    if name in value:
                        found += errors(sub, value[name], root, f"{path}.{name}")
        elif key == "additionalProperties":
            if isinstance(value, dict):
                known = set(schema.get("properties", {}))
                extra = sorted(set(value) - known)
                if rule is False:
                    found += [f"{path}: has unknown '{name}'" for name in extra]
                elif rule is not True:
                    raise UnsupportedKeyword("additionalProperties must be true or false here")
        elif key == "items":
            if isinstance(value, list):
                for index, item in enumerate(value):
                    found += errors(rule, item, root, f"{path}[{index}]")
        elif key == "minItems":
            if isinstance(value, list) and len(value) < rule:
                found.append(f"{path}: has fewer than {rule} items")
        elif key == "allOf":
            for sub in rule:
                found += errors(sub, value, root, path)
        elif key == "oneOf":
            passing = [sub for sub in rule if not errors(sub, value, root, path)]
            if len(passing) != 1:
                found.append(f"{path}: matches {len(passing)} of the oneOf choices, not exactly one")
        elif key == "not":
            if not errors(rule, value, root, path):
                found.append(f"{path}: matches a schema it must not")
        elif key == "if":
            branch = "then" if not errors(rule, value, root, path) else "else"
            if branch in schema:
                found += errors(schema[branch], value, root, path)
        else:
            raise UnsupportedKeyword(f"the checker does not support '{key}' (at {path})")
    return found


def keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in a schema (property names excluded)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, sub in schema.items():
            found.add(key)
            if key in ("properties", "$defs"):
                for inner in sub.values():
                    found |= keywords(inner)
            elif key in ("enum", "const", "required", "type", "pattern"):
                continue
            else:
                found |= keywords(sub)
    elif isinstance(schema, list):
        for item in schema:
            found |= keywords(item)
    return found
