"""A medium synthetic caseload shared by this folder's tests (built once; tests only read it)."""

from __future__ import annotations

import datetime as dt

import pytest

from caseserver.synthetic import Caseload, generate

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def caseload() -> Caseload:
    return generate(officers=6, cases_per_officer=8, contacts_per_case=40, seed=11, today=TODAY)
