"""One locked OASys-style assessment per case: signed by the assessor, countersigned by the SPO.

Answers use the question ids of the project's own template ``caseclient-oasys-style``
(sections numbered as in ``domain.md``); scores are 0, 1 or 2 with evidence text.
"""

from __future__ import annotations

import datetime as dt
import random

from caseclient.domain.canonical import JSONValue
from caseserver.synthetic.randomness import Weighted

TEMPLATE_ID = "caseclient-oasys-style"
TEMPLATE_VERSION = 1

_SECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # section: (evidence when 0, when 1, when 2)
    "s3": (("Settled tenancy for over a year, no arrears.",),
           ("Stays with family; the arrangement is not long term.",
            "Rent arrears building; at risk of losing the tenancy."),
           ("No fixed abode at the time of the offence.",
            "Sofa-surfing, with several moves in the last six months.")),
    "s4": (("In full-time work and keen to keep the job.",),
           ("Casual work only; would like a course in a trade.",),
           ("Has not worked for several years; left school without qualifications.",)),
    "s6": (("Supportive partner and family.",),
           ("Some tension with family; relies on a small circle of friends.",),
           ("Relationship marked by conflict and police call-outs.",)),
    "s8": (("Denies any drug use; nothing to suggest otherwise.",),
           ("Occasional cannabis use, mostly at weekends.",),
           ("Daily use of heroin and crack cocaine at the time of the offence.",)),
    "s9": (("Drinks rarely and within safe limits.",),
           ("Binge drinking at weekends with friends.",),
           ("Drinking every day; offence committed while drunk.",)),
    "s11": (("Thinks through choices and can manage conflict.",),
            ("Acts on impulse at times, especially when under stress.",),
            ("Quick to anger; little thought about consequences for others.",)),
}
_SCORE = Weighted(((0, 0.35), (1, 0.4), (2, 0.25)))
_ROSH_SUMMARY = {
    "low": "No current indicators of serious harm. Keep under review at each appointment.",
    "medium": "Could cause serious harm if circumstances change, most likely to a known adult "
              "when drinking.",
    "high": "Identifiable risk of serious harm to a known adult; could happen at any time, "
            "most likely after an argument at home.",
    "very_high": "Imminent risk of serious harm to the public; close monitoring needed and "
                 "managed with partner agencies.",
}


def _stamp(day: dt.date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randrange(9, 17):02d}:{rng.randrange(60):02d}:00Z"


def locked_assessment(rng: random.Random, *, case_id: str, assessor_code: str, spo_code: str,
                      rosh_level: str, today: dt.date) -> dict[str, JSONValue]:
    """Fields of a locked assessment finished in the last nine months."""
    started = today - dt.timedelta(days=rng.randrange(30, 270))
    signed = started + dt.timedelta(days=rng.randrange(1, 15))
    countersigned = signed + dt.timedelta(days=rng.randrange(1, 8))
    overall = rosh_level.lower()
    fields: dict[str, JSONValue] = {
        "case_id": case_id, "template_id": TEMPLATE_ID, "template_version": TEMPLATE_VERSION,
        "status": "locked", "assessor_code": assessor_code, "started_on": started.isoformat(),
        "signed_by": assessor_code, "signed_at": _stamp(signed, rng),
        "countersigned_by": spo_code, "countersigned_at": _stamp(countersigned, rng),
        "overall_risk": overall,
    }
    for section, evidence in _SECTIONS.items():
        first, second = _SCORE.pick(rng), _SCORE.pick(rng)
        worst = max(first, second)
        fields[f"answer.{section}.q1"] = first
        fields[f"answer.{section}.q2"] = second
        fields[f"answer.{section}.evidence"] = rng.choice(evidence[worst])
        fields[f"answer.{section}.linked_to_harm"] = worst == 2 and rng.random() < 0.5
        fields[f"answer.{section}.linked_to_offending"] = worst >= 1 and rng.random() < 0.7
    fields["answer.rosh.summary"] = _ROSH_SUMMARY[overall]
    fields["answer.rosh.level_community"] = overall
    return fields
