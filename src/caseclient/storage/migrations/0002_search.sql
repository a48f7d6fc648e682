-- Full-text search over names, CRNs and contact notes, inside the encrypted file.
-- The rowid of an entry is the records.rid of the record it indexes.

CREATE VIRTUAL TABLE search USING fts5 (
    record_type UNINDEXED,
    case_id     UNINDEXED,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
