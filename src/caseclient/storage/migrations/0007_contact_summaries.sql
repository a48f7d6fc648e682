-- The caseload's per-case figures from indexes, not from every contact
-- (storage/summaries.py, docs/performance.md "Caseload at 100,000 contacts").
-- Each index holds every column its query reads, so no contact's row (and its
-- notes) is read to count it.
--
-- records_contact_by_case: live contacts by case and date. The next appointment
-- of a case is found by seeking its first date after today, and the start times
-- that day are read from here too.
CREATE INDEX records_contact_by_case ON records (
    case_id, json_extract(fields, '$.date'), json_extract(fields, '$.contact_type'),
    json_extract(fields, '$.start_time'), record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0;

-- records_contact_no_outcome: live contacts without an outcome (the field missing,
-- null or not a string: what Contact.outcome reads as None), by type and date.
-- "Needs an outcome" seeks the appointment types before today: a few rows.
CREATE INDEX records_contact_no_outcome ON records (
    json_extract(fields, '$.contact_type'), json_extract(fields, '$.date'), case_id,
    json_type(fields, '$.outcome'), record_type, deleted)
    WHERE record_type = 'contact' AND deleted = 0 AND json_type(fields, '$.outcome') IS NOT 'text';

-- records_contact_odd_date: live contacts whose date is a string not shaped
-- YYYY-MM-DD (none in ordinary use): the caseload judges those in Python, as the
-- domain reads them, so its figures are exactly those of every contact decoded.
CREATE INDEX records_contact_odd_date ON records (case_id)
    WHERE record_type = 'contact' AND deleted = 0 AND json_type(fields, '$.date') = 'text'
    AND NOT json_extract(fields, '$.date') GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]';
