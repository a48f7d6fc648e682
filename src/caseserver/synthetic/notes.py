"""Contact notes built from this project's own sentence templates, in plain English.

A note is an opening that fits the contact type and outcome, a few sentences on how
things are going, and usually a plan. Now and then a note runs to several
paragraphs, as real supervision notes do.
"""

from __future__ import annotations

import random

_OPENINGS: dict[str, tuple[str, ...]] = {
    "COAP": (
        "{name} reported to the office on time for supervision.",
        "Office appointment with {name}, who arrived a few minutes early.",
        "{name} attended the office and we met in interview room 2.",
        "Supervision session at the office with {name}.",
    ),
    "CHVS": (
        "Home visit to {name} at the address on record. The property was clean and tidy.",
        "Visited {name} at home with a colleague. {name} let us in and we spoke in the kitchen.",
        "Unannounced home visit. {name} was in and agreed to talk for half an hour.",
    ),
    "CTEL": (
        "{name} phoned the office to update on progress.",
        "Phoned {name} to check in between appointments.",
        "Call from {name} asking about the time of the next appointment.",
    ),
    "CEMT": (
        "Text message sent to {name} with a reminder of the next appointment.",
        "Email received from {name} with a copy of a job offer letter.",
        "Text from {name} confirming the new address.",
    ),
    "CVID": (
        "Video call with {name}, who joined from home.",
        "Supervision by video call; the connection was poor at first but settled.",
    ),
    "C3WM": (
        "Three-way meeting with {name} and the housing support worker.",
        "Three-way meeting with {name} and the drug and alcohol worker at the office.",
        "Joint meeting with {name} and the employment adviser.",
    ),
    "CCRI": (
        "Pre-sentence report interview with {name} at the court.",
        "Interview with {name} for the court report, held at the office.",
    ),
    "CUPW": (
        "{name} attended the unpaid work session at the community garden project.",
        "Unpaid work session on the canal clean-up group.",
        "{name} worked a full day with the painting and decorating group.",
    ),
    "COTH": (
        "Letter received from the GP surgery about {name}.",
        "Information shared by the police about {name}.",
        "Case discussion with the senior probation officer about {name}.",
    ),
}
_ABSENT_OK = (
    "{name} did not attend. {name} phoned that morning to say they were unwell and later "
    "brought in a sick note.",
    "{name} did not attend because of a hospital appointment; a copy of the letter was provided.",
    "{name} did not attend: a family funeral, confirmed by the support worker.",
)
_ABSENT = (
    "{name} did not attend and no reason was given. Calls to the mobile went unanswered.",
    "{name} failed to attend. A message was left and a letter sent to the home address.",
    "No show by {name}, who later said they had forgotten. This is not an acceptable reason.",
)
_FAILED_TO_COMPLY = (
    "{name} arrived but was under the influence of alcohol, and the session was ended early.",
    "{name} was sent home from the session for refusing to follow the supervisor's instructions.",
    "{name} attended but left after ten minutes and would not engage.",
)
_RESCHEDULED = (
    "Appointment moved to next week at {name}'s request because of a job interview.",
    "Appointment rescheduled: the office was closed for staff training.",
)
_AHEAD = (
    "Planned: review progress on the sentence plan.",
    "Planned: talk about housing and the tenancy application.",
    "Planned: check in after the start of the new job.",
    "",
    "",
)
_TOPICS: tuple[tuple[str, ...], ...] = (
    (  # accommodation
        "Still staying at the same address and says things are settled there.",
        "Worried about rent arrears; agreed to bring the latest letter from the landlord.",
        "Sofa-surfing with friends since last week. Referral to the housing team discussed.",
        "Has been offered a one-bedroom flat and is waiting for a move-in date.",
    ),
    (  # work and training
        "Working four days a week at a warehouse and enjoying it.",
        "Has started a forklift course and hopes to finish next month.",
        "Still looking for work; we went through two job adverts together.",
        "Lost the job at the car wash and is feeling low about it.",
    ),
    (  # drugs and alcohol
        "Says alcohol use is down to weekends only. We talked about triggers.",
        "Reports no drug use since the last appointment; agreed to a test next time.",
        "Admitted using cannabis most evenings to help with sleep.",
        "Keeping appointments with the drug and alcohol service.",
    ),
    (  # relationships and family
        "Relationship with a partner is going well; they have been together six months.",
        "Sees the children every other Saturday at the grandparents' house.",
        "Argued with a family member at the weekend but walked away, as practised.",
        "Has cut contact with old associates from the estate.",
    ),
    (  # health and wellbeing
        "Mood seems better. Has a GP appointment booked about medication.",
        "Says sleep is poor and anxiety is high. Gave details of the local talking therapy service.",
        "Physical health fine; still waiting for the dentist.",
    ),
    (  # money
        "Universal Credit is being paid on time now after a gap in payments.",
        "Struggling with money this month; gave details of the local food bank.",
        "Has set up a repayment plan for the court fine.",
    ),
    (  # offending behaviour and the order
        "Worked through the session on consequences of the offence and its effect on the victim.",
        "Talked about the situations that led to the offence and what could be done differently.",
        "Understands the requirements of the order and knows the hours still to complete.",
        "Reminded of the consequences of missing appointments and of the warning already given.",
    ),
)
_PLANS = (
    "Next appointment booked for the same time next week.",
    "Plan: continue fortnightly reporting and review in a month.",
    "Plan: follow up the housing referral before the next appointment.",
    "Agreed actions: bring proof of address and the latest payslip.",
    "Plan: home visit within the next four weeks.",
)
_LONG_SHARE = 0.02


def contact_notes(rng: random.Random, *, contact_type: str, outcome: str | None, name: str,
                  ahead: bool, required: bool = False) -> str:
    """Notes for one contact; ``ahead`` for a planned appointment (a short plan, empty unless
    ``required``)."""
    if ahead:
        plan = rng.choice(_AHEAD)
        return plan or (_AHEAD[0] if required else "")
    if outcome == "FTA_ACC":
        return _fill(rng.choice(_ABSENT_OK), name) + " " + rng.choice(_PLANS)
    if outcome == "FTA_UNACC":
        return _fill(rng.choice(_ABSENT), name)
    if outcome == "RSCH":
        return _fill(rng.choice(_RESCHEDULED), name)
    parts = [_fill(rng.choice(_OPENINGS[contact_type]), name)]
    if outcome == "AFTC":
        parts.append(_fill(rng.choice(_FAILED_TO_COMPLY), name))
    paragraphs = 1 + (rng.randrange(3, 8) if rng.random() < _LONG_SHARE else 0)
    for paragraph in range(paragraphs):
        for topic in rng.sample(_TOPICS, rng.randrange(1, 4)):
            parts.append(rng.choice(topic))
        if paragraph < paragraphs - 1:
            parts.append("\n\n")
    if contact_type not in ("CEMT", "COTH"):
        parts.append(rng.choice(_PLANS))
    return " ".join(parts).replace(" \n\n ", "\n\n")


def _fill(template: str, name: str) -> str:
    return template.replace("{name}", name)


_ENFORCEMENT_REASONS: dict[str, tuple[str, ...]] = {
    "BREACH": (
        "Second unacceptable failure on this order within twelve months; breach report prepared "
        "for court.",
        "Third missed appointment since the warning letter. Breach agreed with the senior "
        "probation officer.",
    ),
    "NOENF": (
        "The absence was unacceptable but {name} has since re-engaged well, and a breach now "
        "would undo that progress. Discussed with the senior probation officer.",
        "{name} apologised at once and made up the time the same week; recorded, with a clear "
        "warning given in person.",
    ),
}


def enforcement_reason(rng: random.Random, enforcement: str, name: str) -> str | None:
    """Why an enforcement decision was made, for the actions that need a reason."""
    reasons = _ENFORCEMENT_REASONS.get(enforcement)
    return _fill(rng.choice(reasons), name) if reasons else None
