-- A contact's date, type, start time and "has an outcome" in plain columns, written by
-- the save path with the row, instead of migration 0007's indexes over json_extract of
-- ``fields`` (docs/performance.md, "Autosave commit latency"). Any index on an
-- expression of ``fields`` made SQLite parse the old and the new JSON, notes of up to
-- 141 KiB included, once per expression on every save; an index on plain columns is
-- left alone by a save that does not set them, and an autosave of the notes does not.
--
-- What each column holds (storage/summaries.py, contact_columns, is the one writer;
-- NULL on every other record type):
--   contact_date        the contact's "date" when it is a string, else NULL
--   contact_type        its "contact_type" when a string, else NULL
--   contact_start       its "start_time" when a string, else NULL
--   contact_has_outcome 1 when its "outcome" is a string (what Contact.outcome reads), else 0
-- A non-string value never counted in 0007's queries either: they compared it with
-- strings, or asked json_type for 'text'.
DROP INDEX records_contact_by_case;
DROP INDEX records_contact_no_outcome;
DROP INDEX records_contact_odd_date;
DROP INDEX records_contact_date;

ALTER TABLE records ADD COLUMN contact_date TEXT;
ALTER TABLE records ADD COLUMN contact_type TEXT;
ALTER TABLE records ADD COLUMN contact_start TEXT;
ALTER TABLE records ADD COLUMN contact_has_outcome INTEGER;

-- The backfill: SQLite's reading of each contact's JSON, first into a temporary table
-- (in memory: Database.open sets temp_store = MEMORY, so no case data reaches a file in
-- the clear), then copied into the rows. One UPDATE computing the JSON functions itself
-- kept every page it changed in its statement journal, in memory: ~130 MB more at
-- 100,000 contacts, against ~15 MB this way, in the same time. The unary + reads the
-- table in rid order rather than by the (record_type, id) index (twice as slow).
-- The indexes are made after it: made first, the UPDATE held its pages again.
CREATE TEMP TABLE contact_columns_0008 AS SELECT rid,
    CASE json_type(fields, '$.date')
        WHEN 'text' THEN json_extract(fields, '$.date') END AS contact_date,
    CASE json_type(fields, '$.contact_type')
        WHEN 'text' THEN json_extract(fields, '$.contact_type') END AS contact_type,
    CASE json_type(fields, '$.start_time')
        WHEN 'text' THEN json_extract(fields, '$.start_time') END AS contact_start,
    json_type(fields, '$.outcome') IS 'text' AS contact_has_outcome
FROM records WHERE +record_type = 'contact';
UPDATE records SET contact_date = c.contact_date, contact_type = c.contact_type,
    contact_start = c.contact_start, contact_has_outcome = c.contact_has_outcome
FROM temp.contact_columns_0008 c WHERE records.rid = c.rid;
DROP TABLE temp.contact_columns_0008;

-- Live contacts by case and date: a case's next appointment is one seek to its first
-- date after today, and its types and start times that day are read from here too.
CREATE INDEX records_contact_by_case ON records (
    case_id, contact_date, contact_type, contact_start, record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0;

-- Live contacts without an outcome, by type and date: "needs an outcome" seeks the
-- appointment types before today (a few rows).
CREATE INDEX records_contact_no_outcome ON records (
    contact_type, contact_date, case_id, record_type, deleted, contact_has_outcome)
    WHERE record_type = 'contact' AND deleted = 0 AND contact_has_outcome = 0;

-- Live contacts dated a given day (today's are judged against the time now).
CREATE INDEX records_contact_date ON records (contact_date, record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0;

-- Live contacts whose date is a string not shaped YYYY-MM-DD (none in ordinary use):
-- the caseload judges those in Python, as the domain reads them.
CREATE INDEX records_contact_odd_date ON records (case_id)
    WHERE record_type = 'contact' AND deleted = 0
    AND contact_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';
