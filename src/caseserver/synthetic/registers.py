"""Registers (risk flags) with review dates, some of them overdue."""

from __future__ import annotations

import datetime as dt
import random

from caseclient.domain.canonical import JSONValue
from caseserver.synthetic.randomness import Weighted, add_months, chance
from caseserver.synthetic.reference_lists import attribute

ROSH_LEVEL = Weighted((("LOW", 0.3), ("MEDIUM", 0.45), ("HIGH", 0.2), ("VERY_HIGH", 0.05)))
OVERDUE_SHARE = 0.15

_NOTES: dict[str, tuple[str, ...]] = {
    "RRSH": (
        "Level set from the latest assessment. Risk is mainly to known adults when drinking.",
        "Risk is to a current or former partner. Protective factors: stable housing, engaging well.",
        "Level reflects violence towards members of the public in the past two years.",
        "Risk increases when using drugs and associating with former peers.",
    ),
    "RMAP": (
        "Managed under MAPPA. Next panel meeting date to be confirmed by the coordinator.",
        "Agreed at the last meeting: joint home visits with the police every eight weeks.",
    ),
    "RSTF": (
        "Verbally aggressive to reception staff on two occasions. See in an interview room near "
        "the exit, with a colleague aware.",
        "Threatened a member of staff last year. No lone home visits.",
    ),
    "RDAP": (
        "Police call-outs to the home address in the last year. Check with the police before "
        "any change of address is agreed.",
        "Current offence involved a former partner. Restraining order in place.",
    ),
    "RDAV": ("Disclosed being a victim of abuse by a former partner. Support from a local service.",),
    "RCPP": ("Children at the address are subject to a child protection plan. Social worker "
             "details are in the case notes.",),
    "RCCO": (
        "Has contact with children at weekends. Checks with children's services done at the start "
        "of the order; no concerns raised, to be kept under review.",
        "Lives with a partner who has a young child. Enquiries with children's services made.",
    ),
    "RVAD": ("Some difficulty reading letters: read them through together at appointments.",),
    "RWEP": ("Knife found at the time of arrest. Ask about weapons at home visits.",),
    "RHAT": ("Current offence included racially abusive language. Address in supervision.",),
}
_OPTIONAL = (  # type, chance when RoSH is high or very high, chance otherwise
    ("RMAP", 0.4, 0.03),
    ("RSTF", 0.35, 0.08),
    ("RDAP", 0.3, 0.2),
    ("RDAV", 0.05, 0.05),
    ("RCPP", 0.08, 0.04),
    ("RCCO", 0.2, 0.12),
    ("RVAD", 0.05, 0.05),
    ("RWEP", 0.2, 0.05),
    ("RHAT", 0.05, 0.02),
)


def review_date(rng: random.Random, review_months: int, today: dt.date) -> dt.date:
    """The next review: a share of them overdue, the rest within one review period."""
    if chance(rng, OVERDUE_SHARE):
        return today - dt.timedelta(days=rng.randrange(1, 90))
    return today + dt.timedelta(days=rng.randrange(1, review_months * 30))


def register_fields(rng: random.Random, *, case_id: str, register_type: str, added_by: str,
                    today: dt.date, level: str | None = None) -> dict[str, JSONValue]:
    review_months = attribute("register_type", register_type, "review_months")
    assert isinstance(review_months, int)
    fields: dict[str, JSONValue] = {
        "case_id": case_id, "register_type": register_type,
        "start_date": (today - dt.timedelta(days=rng.randrange(20, 720))).isoformat(),
        "added_by": added_by, "notes": rng.choice(_NOTES[register_type]),
        "review_months": review_months,
        "next_review_date": review_date(rng, review_months, today).isoformat(), "ended": False,
    }
    if level is not None:
        fields["level"] = level
    if register_type == "RMAP":
        fields["level"] = rng.choice(("1", "1", "1", "2", "2", "3"))
        fields["category"] = rng.choice(("1", "2", "2", "3"))
    return fields


def case_registers(rng: random.Random, *, case_id: str, officer_code: str, rosh_level: str,
                   today: dt.date) -> list[dict[str, JSONValue]]:
    """A case's registers: always a risk of serious harm level, often a few more."""
    out = [register_fields(rng, case_id=case_id, register_type="RRSH", added_by=officer_code,
                           today=today, level=rosh_level)]
    serious = rosh_level in ("HIGH", "VERY_HIGH")
    for register_type, if_serious, otherwise in _OPTIONAL:
        if chance(rng, if_serious if serious else otherwise):
            out.append(register_fields(rng, case_id=case_id, register_type=register_type,
                                       added_by=officer_code, today=today))
    if chance(rng, 0.1):  # an old flag, ended, still shown in the history
        ended = register_fields(rng, case_id=case_id, register_type="RCCO", added_by=officer_code,
                                today=add_months(today, -24))
        ended.update(ended=True, end_date=add_months(today, -rng.randrange(2, 12)).isoformat(),
                     end_reason="Children's services closed their involvement.")
        out.append(ended)
    return out
