-- History entries stop rewriting the whole new value on every autosave
-- (docs/performance.md, docs/decisions/0002-drafts-and-history.md).
--
-- live_fields: while an entry is open and the record's latest, the new values of
-- the fields it names are the record's current values, so the entry keeps only a
-- checksum of each (JSON {field: checksum}) instead of a copy. They are written
-- out into new_values, and live_fields set to NULL, when the entry closes (its
-- mutation is offered to the server) or a later entry of the record starts.
-- Entries written before this step hold their new values already (NULL here).
ALTER TABLE history ADD COLUMN live_fields TEXT;

-- Closing the entries of a mutation finds them by mutation, not by a scan.
CREATE INDEX history_by_mutation ON history (mutation_id) WHERE mutation_id IS NOT NULL;
