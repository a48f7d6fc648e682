-- Long text in pieces (storage/long_text.py, docs/decisions/0040-long-text-in-pieces.md).
--
-- An autosave rewrote the whole ``fields`` JSON of its record, notes of up to 141 KiB
-- included: every overflow page of the row, each encrypted, and secure_delete zeroed
-- the old chain as well (docs/performance.md, "Autosave commit latency"). A long-text
-- value written on this laptop is now kept here, split into pieces of at most 896 bytes
-- of UTF-8, each within one page cell, keyed by spaced numbers (``piece``) so a piece
-- can go between two others. A save writes only the pieces whose text changed.
--
-- records.pieces: 1 when some of the record's values are here; its ``fields`` JSON then
-- holds null in their place. Every reader joins the two (long_text.assemble).
--
-- Values already in the store stay in their JSON: readers take both forms (rows pulled
-- from the central system keep that form too), and the next local save of a long value
-- moves it here. Splitting is done in Python (content-defined ends), not in SQL.
ALTER TABLE records ADD COLUMN pieces INTEGER NOT NULL DEFAULT 0 CHECK (pieces IN (0, 1));

CREATE TABLE record_text (
    rid   INTEGER NOT NULL REFERENCES records (rid) ON DELETE CASCADE,
    field TEXT NOT NULL,
    piece INTEGER NOT NULL,
    text  TEXT NOT NULL,
    PRIMARY KEY (rid, field, piece)
) WITHOUT ROWID;
