"""Three-way field merge: the rule behind "never a silent overwrite".

Given the common base, the officer's values and the central system's values,
a field changed on one side only takes that side's value; a field changed on
both sides to different values is a conflict for the officer to choose, and the
officer's value is kept meanwhile. Used to re-base pending local edits over
pulled changes, and by the server to auto-merge stale updates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from caseclient.domain.canonical import JSONValue


@dataclass(frozen=True)
class MergeResult:
    merged: Mapping[str, JSONValue]
    conflicts: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


def changed_fields(before: Mapping[str, JSONValue], after: Mapping[str, JSONValue]) -> set[str]:
    """Names whose values differ (a missing key counts as None)."""
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}


def merge_fields(base: Mapping[str, JSONValue], mine: Mapping[str, JSONValue],
                 theirs: Mapping[str, JSONValue]) -> MergeResult:
    """Merge ``mine`` and ``theirs``, both descended from ``base``."""
    merged: dict[str, JSONValue] = dict(theirs)
    conflicts: list[str] = []
    mine_changed = changed_fields(base, mine)
    theirs_changed = changed_fields(base, theirs)
    for name in sorted(mine_changed):
        if name in theirs_changed and mine.get(name) != theirs.get(name):
            conflicts.append(name)
        merged[name] = mine.get(name)
    return MergeResult(merged, tuple(conflicts))
