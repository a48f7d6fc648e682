from __future__ import annotations

import hashlib

from caseclient.domain.canonical import canonical_json, payload_sha256
from caseclient.domain.ids import is_uuid, new_uuid7


def test_canonical_json_sorts_keys_and_keeps_non_ascii() -> None:
    assert canonical_json({"b": 1, "a": "café", "c": [True, None]}) == \
        '{"a":"café","b":1,"c":[true,null]}'


def test_payload_hash_is_sha256_of_the_canonical_payload_without_seq_or_time() -> None:
    expected_text = ('{"base_version":7,"fields":{"notes":"Seen at home – fine","outcome":"ATTC"},'
                     '"op":"update","record_id":"r1","record_type":"contact","resolves":null}')
    digest = payload_sha256(record_type="contact", record_id="r1", op="update", base_version=7,
                            fields={"outcome": "ATTC", "notes": "Seen at home – fine"},
                            resolves=None)
    assert digest == hashlib.sha256(expected_text.encode("utf-8")).hexdigest()


def test_uuid7_is_time_ordered_and_well_formed() -> None:
    first = new_uuid7(lambda: 1_700_000_000_000)
    second = new_uuid7(lambda: 1_700_000_000_001)
    assert is_uuid(first) and is_uuid(second)
    assert first[14] == "7" and first < second


def test_is_uuid_refuses_near_misses() -> None:
    assert not is_uuid("not-a-uuid")
    assert not is_uuid(42)
    assert not is_uuid("0192F6C4-0000-7000-8000-000000000000")  # upper case is not canonical
