"""Events: a conviction and its sentence, with requirements the officer supervises."""

from __future__ import annotations

import datetime as dt
import random

from caseclient.domain.canonical import JSONValue
from caseserver.synthetic import names
from caseserver.synthetic.randomness import Weighted, add_months, chance

_ORDER = Weighted((("ORA_CO", 0.45), ("ORA_SSO", 0.25), ("LIC", 0.22), ("PSS", 0.08)))
_LICENCE_CONDITIONS: tuple[str, ...] = (
    "Live at an address approved by the supervising officer",
    "Not to contact the victim directly or indirectly",
    "Not to enter the exclusion zone shown on the map given on release",
    "Tell the supervising officer about any new relationship",
    "Take part in drug testing when asked",
    "Keep to a curfew agreed with the supervising officer",
)


def _community_requirements(rng: random.Random) -> list[JSONValue]:
    wanted: list[JSONValue] = []
    if chance(rng, 0.6):
        wanted.append({"type": "unpaid_work", "amount": rng.randrange(4, 31) * 10, "unit": "hours"})
    if chance(rng, 0.7) or not wanted:
        wanted.append({"type": "rar", "amount": rng.choice((5, 10, 15, 20, 25, 30, 40)),
                       "unit": "days"})
    if chance(rng, 0.2):
        wanted.append({"type": "curfew", "amount": rng.randrange(1, 7), "unit": "months",
                       "detail": rng.choice(("19:00 to 07:00, electronically monitored",
                                             "21:00 to 06:00, electronically monitored",
                                             "20:00 to 07:00 at the home address"))})
    if chance(rng, 0.15):
        wanted.append({"type": "alcohol_abstinence", "amount": rng.choice((60, 90, 120)),
                       "unit": "days"})
    if chance(rng, 0.12):
        wanted.append({"type": "drug_rehabilitation", "amount": 6, "unit": "months"})
    if chance(rng, 0.1):
        wanted.append({"type": "programme", "amount": rng.choice((19, 24, 30)), "unit": "sessions"})
    return wanted


def _requirements(rng: random.Random, order_type: str) -> list[JSONValue]:
    if order_type in ("ORA_CO", "ORA_SSO"):
        return _community_requirements(rng)
    picked = rng.sample(_LICENCE_CONDITIONS, rng.randrange(1, 4))
    return [{"type": "licence_condition", "amount": None, "unit": None, "detail": text}
            for text in picked]


def current_event(rng: random.Random, case_id: str, today: dt.date) -> dict[str, JSONValue]:
    """The live event: sentenced 3–24 months ago, with time still to run."""
    order_type = _ORDER.pick(rng)
    months_ago = rng.randrange(3, 25)
    if order_type == "LIC":
        sentenced = add_months(today, -months_ago - rng.randrange(12, 48))
    else:
        sentenced = add_months(today, -months_ago) - dt.timedelta(days=rng.randrange(28))
    elapsed = (today.year - sentenced.year) * 12 + today.month - sentenced.month
    length = max(elapsed + rng.randrange(2, 13), {"ORA_CO": 6, "ORA_SSO": 12, "LIC": 24,
                                                   "PSS": 12}[order_type])
    return {
        "case_id": case_id, "order_type": order_type, "offence": rng.choice(names.OFFENCES),
        "sentence_date": sentenced.isoformat(), "length_months": length,
        "requirements": _requirements(rng, order_type), "ended": False,
    }


def ended_event(rng: random.Random, case_id: str, today: dt.date) -> dict[str, JSONValue]:
    """An earlier order, finished before the current one began."""
    order_type = rng.choice(("ORA_CO", "ORA_SSO"))
    sentenced = add_months(today, -rng.randrange(30, 72))
    return {
        "case_id": case_id, "order_type": order_type, "offence": rng.choice(names.OFFENCES),
        "sentence_date": sentenced.isoformat(), "length_months": rng.choice((6, 12, 18)),
        "requirements": _requirements(rng, order_type), "ended": True,
    }


def has_unpaid_work(event: dict[str, JSONValue]) -> bool:
    requirements = event.get("requirements")
    return isinstance(requirements, list) and any(
        isinstance(item, dict) and item.get("type") == "unpaid_work" for item in requirements)
