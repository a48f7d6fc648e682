-- Autosave without re-indexing the note on every pause (docs/performance.md).
--
-- Tokenising a long note for FTS5 cost more than everything else an autosave does
-- except the commit itself. Saves of the record being typed into now only put its
-- rid here (once); its search entry is brought up to date when the officer moves to
-- another record (search.index_later) and meanwhile search.find matches such a
-- record against its current text, so search never lags what was typed. A record's
-- row leaving the store takes its place in the queue with it. A later migration that
-- rebuilds ``search`` from the rows must empty this queue in the same step.
CREATE TABLE reindex_queue (
    rid INTEGER PRIMARY KEY REFERENCES records (rid) ON DELETE CASCADE
);
