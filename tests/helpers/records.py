"""Small, valid server records for tests (wire fields, as the central system sends them)."""

from __future__ import annotations

import uuid
from typing import Any

from caseclient.domain.reference import reference_id

CONTACT_TYPES = {
    "COAP": ("Office appointment", {"is_appointment": True, "counts_towards_requirements": True,
                                    "notes_required": False}),
    "CHVS": ("Home visit", {"is_appointment": True, "counts_towards_requirements": True,
                            "notes_required": True}),
    "CTEL": ("Phone contact", {"is_appointment": False, "counts_towards_requirements": False,
                               "notes_required": True}),
}
OUTCOMES = {
    "ATTC": ("Attended – complied", {"attended": True, "complied": True, "acceptable": True}),
    "AFTC": ("Attended – failed to comply", {"attended": True, "complied": False,
                                             "acceptable": False}),
    "FTA_ACC": ("Failed to attend – acceptable absence", {"attended": False, "complied": False,
                                                         "acceptable": True}),
    "FTA_UNACC": ("Failed to attend – unacceptable absence", {"attended": False,
                                                             "complied": False, "acceptable": False}),
}
ENFORCEMENTS = {
    "WARN": ("Warning letter sent", {"needs_reason": False}),
    "NOENF": ("Decision not to enforce", {"needs_reason": True}),
}
REGISTER_TYPES = {
    "RRSH": ("Risk of serious harm", {"levels": ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"],
                                      "review_months": 6, "priority": 1, "has_category": False}),
    "RSTF": ("Risk to staff", {"levels": [], "review_months": 6, "priority": 3,
                               "has_category": False}),
}
ORDER_TYPES = {
    "ORA_CO": ("Community order", {"community": True}),
    "LIC": ("Licence", {"community": False}),
}


def reference_changes() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, table in (("contact_type", CONTACT_TYPES), ("outcome", OUTCOMES),
                        ("enforcement", ENFORCEMENTS), ("register_type", REGISTER_TYPES),
                        ("order_type", ORDER_TYPES)):
        for code, (label, attributes) in table.items():
            out.append({"record_type": "reference", "record_id": reference_id(kind, code),
                        "version": 1, "fields": {"kind": kind, "code": code, "label": label,
                                                 "active": True, "attributes": attributes}})
    return out


def case_change(crn: str = "X123456", first: str = "Ann", last: str = "Example",
                case_id: str | None = None, **fields: Any) -> dict[str, Any]:
    values = {"crn": crn, "first_name": first, "last_name": last, "tier": "B2",
              "officer_code": "N01A123", **fields}
    return {"record_type": "case", "record_id": case_id or str(uuid.uuid4()), "version": 1,
            "fields": values}


def register_change(case_id: str, register_type: str = "RRSH", level: str | None = "HIGH",
                    **fields: Any) -> dict[str, Any]:
    values = {"case_id": case_id, "register_type": register_type, "level": level,
              "start_date": "2026-01-05", "ended": False, **fields}
    return {"record_type": "register", "record_id": str(uuid.uuid4()), "version": 1,
            "fields": values}
