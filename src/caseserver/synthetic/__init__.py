"""Synthetic caseloads for the reference server: made-up data, never real people.

Everything here is invented for development, tests and demonstrations: names are
common first names and surnames paired at random, towns and streets are made up,
postcodes begin with Q (no real UK postcode does), phone numbers come from Ofcom's
drama ranges, and notes are assembled from this project's own sentence templates.
The generator is seeded (``random.Random``), so the same arguments always give the
same caseload, ids and passwords included; the passwords are therefore only fit for
test and demo servers.

- :func:`generate` builds officers (teams of POs and PSOs, one SPO each) and their
  cases' records in wire form: reference lists, cases, events, registers, contacts
  (12 months past and appointments ahead) and one locked assessment per case.
- :func:`office_edits` builds a bounded stream of edits by other staff — contacts
  amended, registers added or reviewed, a case reallocated — to exercise conflicts
  and deallocation on a client.
"""

from caseserver.synthetic.caseload import generate
from caseserver.synthetic.model import Caseload, OfficeEdit, SyntheticOfficer, SyntheticRecord
from caseserver.synthetic.office import office_edits

__all__ = ["Caseload", "OfficeEdit", "SyntheticOfficer", "SyntheticRecord", "generate",
           "office_edits"]
