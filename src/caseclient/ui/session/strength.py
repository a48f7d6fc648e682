"""A plain-words hint about how guessable a passphrase is (no rules beyond length).

NCSC advice: length beats complexity; three or more random words work well. We
require only a minimum length and say how the passphrase could be better.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_LENGTH = 10
GOOD_LENGTH = 16


@dataclass(frozen=True)
class Strength:
    acceptable: bool
    words: str


def strength(passphrase: str) -> Strength:
    length = len(passphrase)
    if length == 0:
        return Strength(False, f"Use at least {MIN_LENGTH} characters. Three or four unrelated "
                               "words work well.")
    if length < MIN_LENGTH:
        return Strength(False, f"Too short: {MIN_LENGTH - length} more characters needed.")
    distinct = len(set(passphrase.lower()))
    if distinct < 5:
        return Strength(True, "Weak: it repeats the same few characters. Try unrelated words.")
    if length < GOOD_LENGTH or (" " not in passphrase.strip() and distinct < 10):
        return Strength(True, "Fair. A few more words would make it stronger.")
    return Strength(True, "Strong.")
