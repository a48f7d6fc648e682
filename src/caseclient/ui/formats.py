"""UK formats shown to the officer; wire formats (ISO dates, HH:MM) are what is stored.

Parsing forgives what people type: 24/11/2026, 24-11-2026, 24.11.26, 2026-11-24;
times as 14:30, 14.30, 1430 or 2:30pm. Anything else is None, and the editor says
how to write it.
"""

from __future__ import annotations

import datetime as dt
import re

DATE_HINT = "Date as day/month/year, for example 24/11/2026."
TIME_HINT = "Time on the 24-hour clock, for example 14:30."

_DATE = re.compile(r"^\s*(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def uk_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def uk_time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def uk_datetime(value: dt.datetime | None) -> str:
    return value.strftime("%a %d/%m/%Y %H:%M") if value is not None else ""


def parse_uk_date(text: str) -> dt.date | None:
    iso = _ISO.match(text)
    if iso:
        day, month, year = int(iso[3]), int(iso[2]), int(iso[1])
    else:
        found = _DATE.match(text)
        if not found:
            return None
        day, month, year = int(found[1]), int(found[2]), int(found[3])
        if year < 100:
            year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> dt.time | None:
    found = _TIME.match(text)
    if not found:
        return None
    digits, minutes, meridiem = found[1], found[2], found[3]
    hour, minute = int(digits), int(minutes or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    try:
        return dt.time(hour, minute)
    except ValueError:
        return None


def age_words(age: dt.timedelta) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '2 days ago'."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"
