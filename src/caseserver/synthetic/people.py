"""Made-up officers and people on probation: names, CRNs, addresses, phones, tiers."""

from __future__ import annotations

import datetime as dt
import math
import random

from caseclient.domain.canonical import JSONValue
from caseserver.synthetic import names
from caseserver.synthetic.model import GradeCode, SyntheticOfficer
from caseserver.synthetic.randomness import Weighted, chance, password

CASE_HOLDERS_PER_TEAM = 4
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_officers(rng: random.Random, count: int) -> list[SyntheticOfficer]:
    """``count`` case-holding officers (POs and PSOs) in teams of up to four, plus one SPO a team.

    Each team lists its case holders first, then its SPO. The first case holder of a
    team is always a PO.
    """
    if count < 1:
        raise ValueError("There must be at least one case-holding officer.")
    teams = math.ceil(count / CASE_HOLDERS_PER_TEAM)
    base, extra = divmod(count, teams)
    numbers: dict[GradeCode, int] = {"PO": 0, "PSO": 0, "SPO": 0}
    used_names: set[str] = set()
    out: list[SyntheticOfficer] = []
    for team_index in range(teams):
        team = _team_name(team_index)
        size = base + (1 if team_index < extra else 0)
        grades: list[GradeCode] = ["PO", *(_case_holder_grade(rng) for _ in range(size - 1)), "SPO"]
        for member, grade in enumerate(grades, start=1):
            numbers[grade] += 1
            staff_code = f"N{7 + team_index // 26:02d}{_ALPHABET[team_index % 26]}{member:03d}"
            out.append(SyntheticOfficer(
                staff_code=staff_code, username=f"{grade.lower()}{numbers[grade]}",
                password=password(rng), name=_officer_name(rng, used_names), grade=grade, team=team))
    return out


def _case_holder_grade(rng: random.Random) -> GradeCode:
    return "PO" if chance(rng, 0.6) else "PSO"


def _team_name(index: int) -> str:
    town = names.TOWNS[index % len(names.TOWNS)]
    suffix = names.TEAM_SUFFIXES[(index // len(names.TOWNS)) % len(names.TEAM_SUFFIXES)]
    rounds = index // (len(names.TOWNS) * len(names.TEAM_SUFFIXES))
    return f"{town} {suffix}" + (f" {rounds + 1}" if rounds else "")


def _officer_name(rng: random.Random, used: set[str]) -> str:
    name = ""
    for attempt in range(50):
        name = f"{rng.choice(names.OFFICER_FIRST_NAMES)} {rng.choice(names.OFFICER_SURNAMES)}"
        if name not in used:
            break
        if attempt == 49:  # a very large office: tell namesakes apart
            name = f"{name} {len(used) + 1}"
    used.add(name)
    return name


_TIER_LETTER = {
    "VERY_HIGH": Weighted((("A", 0.8), ("B", 0.2))),
    "HIGH": Weighted((("A", 0.4), ("B", 0.6))),
    "MEDIUM": Weighted((("B", 0.4), ("C", 0.6))),
    "LOW": Weighted((("C", 0.5), ("D", 0.5))),
}
_AGE = Weighted(((range(18, 25), 3.0), (range(25, 40), 5.0), (range(40, 55), 2.5),
                 (range(55, 71), 1.0)))


def new_crn(rng: random.Random, used: set[str]) -> str:
    while True:
        crn = f"{rng.choice(_ALPHABET)}{rng.randrange(1_000_000):06d}"
        if crn not in used:
            used.add(crn)
            return crn


def person_fields(rng: random.Random, *, crn: str, rosh_level: str, today: dt.date
                  ) -> dict[str, JSONValue]:
    """The person's details of a ``case`` record (officer and team are added by the caller)."""
    male = chance(rng, 0.85)
    first = rng.choice(names.MALE_FIRST_NAMES if male else names.FEMALE_FIRST_NAMES)
    age = rng.choice(_AGE.pick(rng))
    born = today - dt.timedelta(days=age * 365 + rng.randrange(365))
    fields: dict[str, JSONValue] = {
        "crn": crn, "first_name": first, "last_name": rng.choice(names.SURNAMES),
        "date_of_birth": born.isoformat(), "gender": "Male" if male else "Female",
        "address": address(rng), "tier": f"{_TIER_LETTER[rosh_level].pick(rng)}{rng.randrange(4)}",
    }
    if not chance(rng, 0.05):  # a few have no phone on record
        fields["phone"] = phone(rng)
    return fields


def address(rng: random.Random) -> str:
    street = f"{rng.choice(names.STREETS)} {rng.choice(names.STREET_KINDS)}"
    postcode = (f"Q{rng.choice(names.POSTCODE_LETTERS)}{rng.randrange(1, 10)} "
                f"{rng.randrange(10)}{rng.choice(names.POSTCODE_LETTERS)}"
                f"{rng.choice(names.POSTCODE_LETTERS)}")
    return (f"{rng.choice(names.HOUSING)}{rng.randrange(1, 120)} {street}\n"
            f"{rng.choice(names.TOWNS)}\n{postcode}")


def phone(rng: random.Random) -> str:
    """A number from Ofcom's drama ranges: 07700 900000–900999 or 01632 960000–960999."""
    if chance(rng, 0.8):
        return f"07700 900{rng.randrange(1000):03d}"
    return f"01632 960{rng.randrange(1000):03d}"
