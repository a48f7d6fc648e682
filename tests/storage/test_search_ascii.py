"""The ASCII fast paths of search's Python matching (tokens, first match, case names) give
what the Unicode paths give on the same ASCII text."""

from __future__ import annotations

import random
import string

import pytest

from caseclient.storage import search

WORDS = ["housing", "House", "HOUSES", "hou", "appointment", "Appoint", "job", "offer", "x1",
         "a_b", "w", "9am", "the", "theme", "re-offend", "co-op"]


def _text(rng: random.Random) -> str:
    gaps = [" ", "  ", "\n", ", ", ". ", "_", "-", "'", "(", ")", "/"]
    parts = []
    for _ in range(rng.randint(0, 30)):
        word = rng.choice(WORDS) if rng.random() < 0.7 else "".join(
            rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(1, 8)))
        parts.append(word + rng.choice(gaps))
    return "".join(parts)


@pytest.mark.parametrize("seed", range(5))
def test_ascii_paths_agree_with_the_unicode_ones(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        body = _text(rng)
        typed = " ".join(rng.sample(WORDS, rng.randint(1, 3)))[: rng.randint(1, 20)]
        terms = search._Terms.of(typed)
        assert [m.span() for m in search._ASCII_TOKEN.finditer(body)] == \
            [m.span() for m in search._TOKEN.finditer(body)]
        lowered = terms.lowered.search(body.lower())
        general = terms.pattern.search(body)
        assert (lowered and lowered.start()) == (general and general.start()), (body, typed)
        unicode_tokens = {search.fold(t) for t in search._TOKEN.findall(body)}
        assert terms.found_in(body) == (terms.whole <= unicode_tokens and (
            not terms.prefix or any(t.startswith(terms.prefix) for t in unicode_tokens))), (body, typed)
        start = rng.randint(0, len(body))
        tokens = list(search._ASCII_TOKEN.finditer(body, start))
        if start > 0 and tokens and tokens[0].start() == start:
            tokens = tokens[1:]                         # as snippet: maybe a word's tail
        if tokens:
            assert search._marked(body, tokens[0].start(), tokens[-1].end(), terms) == {
                t.start() for t in tokens if terms.matches(t.group())}, (body, typed, start)
