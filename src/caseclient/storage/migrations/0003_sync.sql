-- Sync engine state (issue 5).
--
-- wire_seq: the ``seq`` the central system sees. It is given when a mutation is
-- first offered to the server, so a mutation held back behind an unresolved
-- conflict never leaves a gap in the server's sequence. ``seq`` stays the local
-- order of mutations. Rows that existed before this step were numbered on the
-- wire already, in the same order.
ALTER TABLE outbox ADD COLUMN wire_seq INTEGER;
UPDATE outbox SET wire_seq = seq;
CREATE UNIQUE INDEX outbox_by_wire_seq ON outbox (wire_seq) WHERE wire_seq IS NOT NULL;
INSERT INTO meta (key, value) SELECT 'next_wire_seq', value FROM meta WHERE key = 'next_seq';

-- A full snapshot pulled after ``410 resync_required`` lands here first, page by
-- page, and is swapped into ``records`` in one transaction once complete.
CREATE TABLE records_staging (
    record_type TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    fields      TEXT NOT NULL,                   -- JSON
    changed_by  TEXT,
    PRIMARY KEY (record_type, id)
) WITHOUT ROWID;

-- Cases that left the officer's caseload while local work on them was unsent:
-- kept and shown until that work is sent or exported, then removed.
CREATE TABLE held_cases (
    case_id   TEXT PRIMARY KEY,
    reason    TEXT NOT NULL,
    held_at   TEXT NOT NULL
) WITHOUT ROWID;
