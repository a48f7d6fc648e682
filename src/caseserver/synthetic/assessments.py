"""OASys-style assessments: one locked per case, and optionally a review still in progress.

Answers use the question ids of the project's own template ``caseclient-oasys-style``
version 1 (``resources/assessments``): scores are 0, 1 or 2 with evidence text; risk
levels and ``overall_risk`` use ``RiskLevel`` values (``LOW`` … ``VERY_HIGH``); the
``scores`` field is what the client's scoring engine computes from the answers.
"""

from __future__ import annotations

import datetime as dt
import functools
import random

from caseclient.domain.assessment import (
    Template,
    answers_from_fields,
    builtin_registry,
    score_assessment,
)
from caseclient.domain.canonical import JSONValue
from caseserver.synthetic.randomness import Weighted

TEMPLATE_ID = "caseclient-oasys-style"
TEMPLATE_VERSION = 1

_SECTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # section: (evidence when the worst score is 0, when 1, when 2)
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
    "LOW": "No current indicators of serious harm. Keep under review at each appointment.",
    "MEDIUM": "Could cause serious harm if circumstances change, most likely to a known adult "
              "when drinking.",
    "HIGH": "Identifiable risk of serious harm to a known adult; could happen at any time, "
            "most likely after an argument at home.",
    "VERY_HIGH": "Imminent risk of serious harm to the public; close monitoring needed and "
                 "managed with partner agencies.",
}
_REVIEW_EVIDENCE = (
    "Updated at review: circumstances have improved since the last assessment.",
    "Updated at review: no change since the last assessment.",
    "Updated at review: some setbacks this quarter, discussed in supervision.",
)


def _stamp(day: dt.date, rng: random.Random) -> str:
    return f"{day.isoformat()}T{rng.randrange(9, 17):02d}:{rng.randrange(60):02d}:00Z"


def _answers(rng: random.Random, rosh_level: str) -> dict[str, JSONValue]:
    fields: dict[str, JSONValue] = {}
    for section, evidence in _SECTIONS.items():
        first, second = _SCORE.pick(rng), _SCORE.pick(rng)
        worst = max(first, second)
        fields[f"answer.{section}.q1"] = first
        fields[f"answer.{section}.q2"] = second
        fields[f"answer.{section}.evidence"] = rng.choice(evidence[worst])
        fields[f"answer.{section}.linked_to_harm"] = worst == 2 and rng.random() < 0.5
        fields[f"answer.{section}.linked_to_offending"] = worst >= 1 and rng.random() < 0.7
    fields["answer.s8.ever_used"] = "yes" if fields["answer.s8.q1"] or fields["answer.s8.q2"] else "no"
    fields["answer.r3.nature"] = _ROSH_SUMMARY[rosh_level]
    fields["answer.r3.known_adult.community"] = rosh_level
    fields["answer.r3.public.community"] = "LOW" if rosh_level != "VERY_HIGH" else rosh_level
    return fields


@functools.cache
def template() -> Template:
    found = builtin_registry().get(TEMPLATE_ID, TEMPLATE_VERSION)
    if found is None:
        raise LookupError(f"template {TEMPLATE_ID} v{TEMPLATE_VERSION} is not shipped")
    return found


def _scores(fields: dict[str, JSONValue]) -> JSONValue:
    return score_assessment(template(), answers_from_fields(fields)).to_json()


def locked_assessment(rng: random.Random, *, case_id: str, assessor_code: str, spo_code: str,
                      rosh_level: str, today: dt.date) -> dict[str, JSONValue]:
    """Fields of a locked assessment finished in the last nine months, countersigned by the SPO."""
    started = today - dt.timedelta(days=rng.randrange(30, 270))
    signed = started + dt.timedelta(days=rng.randrange(1, 15))
    countersigned = signed + dt.timedelta(days=rng.randrange(1, 8))
    fields: dict[str, JSONValue] = {
        "case_id": case_id, "template_id": TEMPLATE_ID, "template_version": TEMPLATE_VERSION,
        "status": "locked", "assessor_code": assessor_code, "started_on": started.isoformat(),
        "signed_by": assessor_code, "signed_at": _stamp(signed, rng),
        "countersigned_by": spo_code, "countersigned_at": _stamp(countersigned, rng),
        "overall_risk": rosh_level,
    }
    fields.update(_answers(rng, rosh_level))
    fields["scores"] = _scores(fields)
    return fields


def assessment_in_progress(rng: random.Random, locked: dict[str, JSONValue], *, today: dt.date
                           ) -> dict[str, JSONValue]:
    """An open review begun in the last three weeks: the locked answers carried over, a few updated."""
    fields: dict[str, JSONValue] = {
        "case_id": locked["case_id"], "template_id": TEMPLATE_ID,
        "template_version": TEMPLATE_VERSION, "status": "open",
        "assessor_code": locked["assessor_code"],
        "started_on": (today - dt.timedelta(days=rng.randrange(0, 21))).isoformat(),
    }
    fields.update((name, value) for name, value in locked.items() if name.startswith("answer."))
    for section in rng.sample(sorted(_SECTIONS), rng.randrange(1, 4)):
        fields[f"answer.{section}.q1"] = _SCORE.pick(rng)
        fields[f"answer.{section}.evidence"] = rng.choice(_REVIEW_EVIDENCE)
    fields["scores"] = _scores(fields)
    return fields
