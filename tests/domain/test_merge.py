from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from caseclient.domain.merge import merge_fields

values = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["a", "b", "c"]))
records = st.dictionaries(st.sampled_from(["notes", "outcome", "location", "alert"]), values)


def test_disjoint_changes_merge_and_same_field_conflicts_keeping_mine() -> None:
    base = {"notes": "n", "outcome": None, "location": "Office"}
    mine = {**base, "notes": "n + mine"}
    theirs = {**base, "outcome": "ATTC"}
    result = merge_fields(base, mine, theirs)
    assert result.clean and result.merged == {"notes": "n + mine", "outcome": "ATTC",
                                              "location": "Office"}
    theirs_notes = {**base, "notes": "n + theirs"}
    clash = merge_fields(base, mine, theirs_notes)
    assert clash.conflicts == ("notes",) and clash.merged["notes"] == "n + mine"


@given(records, records, records)
def test_merge_never_loses_a_change_of_mine(base: dict, mine: dict, theirs: dict) -> None:  # type: ignore[type-arg]
    result = merge_fields(base, mine, theirs)
    for name in set(base) | set(mine):
        if base.get(name) != mine.get(name):
            assert result.merged.get(name) == mine.get(name)


@given(records, records)
def test_merge_with_no_local_change_takes_theirs(base: dict, theirs: dict) -> None:  # type: ignore[type-arg]
    result = merge_fields(base, dict(base), theirs)
    assert result.clean
    assert {k: v for k, v in result.merged.items() if v is not None} == \
        {k: v for k, v in theirs.items() if v is not None}


@given(records, records, records)
def test_conflicts_are_exactly_fields_both_changed_differently(base: dict, mine: dict,
                                                               theirs: dict) -> None:  # type: ignore[type-arg]
    result = merge_fields(base, mine, theirs)
    expected = {n for n in set(base) | set(mine) | set(theirs)
                if base.get(n) != mine.get(n) and base.get(n) != theirs.get(n)
                and mine.get(n) != theirs.get(n)}
    assert set(result.conflicts) == expected
