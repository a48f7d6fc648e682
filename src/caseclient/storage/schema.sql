-- The store's schema at the head migration, as sqlite_master holds it.
-- Regenerate with: scripts/dump-schema (tests/storage/test_migrations.py keeps it in step).
-- index history_by_mutation
CREATE INDEX history_by_mutation ON history (mutation_id) WHERE mutation_id IS NOT NULL;
-- index history_by_record
CREATE INDEX history_by_record ON history (record_type, record_id, hid);
-- index outbox_by_record
CREATE INDEX outbox_by_record ON outbox (record_type, record_id, seq);
-- index outbox_by_state
CREATE INDEX outbox_by_state ON outbox (state, seq);
-- index outbox_by_wire_seq
CREATE UNIQUE INDEX outbox_by_wire_seq ON outbox (wire_seq) WHERE wire_seq IS NOT NULL;
-- index records_by_case
CREATE INDEX records_by_case ON records (case_id, record_type);
-- index records_contact_by_case
CREATE INDEX records_contact_by_case ON records (
    case_id, contact_date, contact_type, contact_start, record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0;
-- index records_contact_date
CREATE INDEX records_contact_date ON records (contact_date, record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0;
-- index records_contact_no_outcome
CREATE INDEX records_contact_no_outcome ON records (
    contact_type, contact_date, case_id, record_type, deleted, contact_has_outcome)
    WHERE record_type = 'contact' AND deleted = 0 AND contact_has_outcome = 0;
-- index records_contact_odd_date
CREATE INDEX records_contact_odd_date ON records (case_id)
    WHERE record_type = 'contact' AND deleted = 0
    AND contact_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';
-- index records_dirty
CREATE INDEX records_dirty ON records (dirty) WHERE dirty = 1;
-- table case_number
CREATE TABLE case_number (
    case_no INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE
);
-- table held_cases
CREATE TABLE held_cases (
    case_id   TEXT PRIMARY KEY,
    reason    TEXT NOT NULL,
    held_at   TEXT NOT NULL
) WITHOUT ROWID;
-- table history
CREATE TABLE history (
    hid          INTEGER PRIMARY KEY,
    record_type  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    actor        TEXT NOT NULL,                  -- staff code, or 'central system'
    source       TEXT NOT NULL CHECK (source IN ('local', 'server', 'resolution')),
    started_at   TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    old_values   TEXT NOT NULL,                  -- JSON: values before this change
    new_values   TEXT NOT NULL,                  -- JSON: values after it
    mutation_id  TEXT,                           -- the outbox mutation carrying it, if any
    open         INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)), live_fields TEXT,  -- still absorbing saves
    FOREIGN KEY (record_type, record_id) REFERENCES records (record_type, id)
);
-- table meta
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
-- table outbox
CREATE TABLE outbox (
    mutation_id    TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL UNIQUE,      -- per client: 1, 2, 3 ... never reused
    record_type    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    op             TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    base_version   INTEGER,
    fields         TEXT NOT NULL,                -- JSON
    payload_sha256 TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    resolves       TEXT,
    state          TEXT NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'sending', 'applied', 'duplicate',
                                    'conflict', 'rejected', 'resolved', 'dismissed')),
    attempts       INTEGER NOT NULL DEFAULT 0,   -- >0: may have reached the server, never absorb
    result         TEXT,                         -- JSON answer of the server
    updated_at     TEXT NOT NULL, wire_seq INTEGER,
    FOREIGN KEY (record_type, record_id) REFERENCES records (record_type, id)
);
-- table record_case
CREATE TABLE record_case (
    chunk INTEGER PRIMARY KEY,       -- rids chunk * 512 ... chunk * 512 + 511
    cases BLOB NOT NULL              -- 4 bytes a rid, little-endian; shorter: the rest 0
);
-- table record_case_new
CREATE TABLE record_case_new (
    rid     INTEGER PRIMARY KEY,
    case_no INTEGER NOT NULL
);
-- table record_case_state
CREATE TABLE record_case_state (
    generation INTEGER NOT NULL
);
-- table record_text
CREATE TABLE record_text (
    rid   INTEGER NOT NULL REFERENCES records (rid) ON DELETE CASCADE,
    field TEXT NOT NULL,
    piece INTEGER NOT NULL,
    text  TEXT NOT NULL,
    PRIMARY KEY (rid, field, piece)
) WITHOUT ROWID;
-- table records
CREATE TABLE records (
    rid           INTEGER PRIMARY KEY,           -- local row number; also the search rowid
    record_type   TEXT NOT NULL,
    id            TEXT NOT NULL,                 -- UUID, made on the device for new records
    case_id       TEXT,                          -- owning case (a case record owns itself)
    fields        TEXT NOT NULL,                 -- JSON: what the officer sees now
    version       INTEGER,                       -- server version; NULL before first push
    server_shadow TEXT,                          -- JSON: last copy from the server
    dirty         INTEGER NOT NULL DEFAULT 0 CHECK (dirty IN (0, 1)),
    draft         INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    updated_at    TEXT NOT NULL, contact_date TEXT, contact_type TEXT, contact_start TEXT, contact_has_outcome INTEGER, pieces INTEGER NOT NULL DEFAULT 0 CHECK (pieces IN (0, 1)),
    UNIQUE (record_type, id)
);
-- table records_staging
CREATE TABLE records_staging (
    record_type TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    fields      TEXT NOT NULL,                   -- JSON
    changed_by  TEXT,
    PRIMARY KEY (record_type, id)
) WITHOUT ROWID;
-- table reindex_queue
CREATE TABLE reindex_queue (
    rid INTEGER PRIMARY KEY REFERENCES records (rid) ON DELETE CASCADE
);
-- table search
CREATE VIRTUAL TABLE search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- trigger record_case_of_removed_record
CREATE TRIGGER record_case_of_removed_record AFTER DELETE ON records
BEGIN
    DELETE FROM record_case_new WHERE rid = old.rid;
    UPDATE record_case
        SET cases = unhex(hex(substr(cases, 1, (old.rid & 511) * 4)) || '00000000'
                          || hex(substr(cases, (old.rid & 511) * 4 + 5)))
        WHERE chunk = old.rid >> 9 AND length(cases) > (old.rid & 511) * 4;
    UPDATE record_case_state SET generation = generation + 1;
END;
