-- Each searched record's case, by rid, in a few bytes a row (docs/performance.md,
-- "Caseload at 100,000 contacts"; decision 0041).
--
-- The caseload search needs, for every index hit of a word, the hit's case: it shows
-- each case once, on its newest matching record. The index holds rids only, and
-- reading a case from ``records`` (the row, or the records_by_case index) cost ~1 µs
-- to ~120 µs a hit, 0.1-0.2 s for a word in most of 100,000 notes. Here a case is a
-- small number (case_number), and record_case holds each record's case number by
-- rid: 4 bytes a rid (little-endian, 0: none), 512 rids to a row (2 KiB, one page), so
-- search.CaseOwners reads it whole in a few milliseconds (a row per record took
-- 0.1-0.4 s at 100,000) and holds it in memory while record_case_state.generation
-- and the highest rid stay the same; find_cases maps hit rids to cases with it.
--
-- search.index, index_many and catch_up (the writers of entries) write a record's
-- case with its entry. A new record does not move the generation: its rid is above
-- every rid a remembered map holds (rids only grow while no row leaves the table),
-- and a higher rid has the map read again. A record moving to another case moves it
-- (search._own), and so does a row leaving ``records`` (the trigger below, whoever
-- deletes it: its rid can then be given to a new record). Deleted records keep their
-- case (find_cases reads the rows it shows and passes deleted ones over). The types
-- are search._INDEXED's.
CREATE TABLE case_number (
    case_no INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE
);

CREATE TABLE record_case (
    chunk INTEGER PRIMARY KEY,       -- rids chunk * 512 ... chunk * 512 + 511
    cases BLOB NOT NULL              -- 4 bytes a rid, little-endian; shorter: the rest 0
);

-- Records written a few at a time (a save, a record made here), a row each until there
-- are 512 of them or a pull writes record_case's rows (search._own folds them in).
CREATE TABLE record_case_new (
    rid     INTEGER PRIMARY KEY,
    case_no INTEGER NOT NULL
);

CREATE TABLE record_case_state (
    generation INTEGER NOT NULL
);
INSERT INTO record_case_state (generation) VALUES (0);

INSERT INTO case_number (case_id)
SELECT DISTINCT case_id FROM records
WHERE record_type IN ('case', 'contact') AND case_id IS NOT NULL;

-- Every rid from 0 to the highest, its case number or 0, 512 to a row.
WITH RECURSIVE n (rid) AS (
    SELECT 0 UNION ALL SELECT rid + 1 FROM n WHERE rid < (SELECT coalesce(max(rid), 0) FROM records)
), owned (rid, x) AS (
    SELECT n.rid, coalesce(c.case_no, 0) FROM n
    LEFT JOIN records r ON r.rid = n.rid AND r.record_type IN ('case', 'contact')
    LEFT JOIN case_number c ON c.case_id = r.case_id
)
INSERT INTO record_case (chunk, cases)
SELECT rid >> 9, unhex(group_concat(printf('%02x%02x%02x%02x', x & 255, (x >> 8) & 255,
                                           (x >> 16) & 255, (x >> 24) & 255), '' ORDER BY rid))
FROM owned GROUP BY rid >> 9;

CREATE TRIGGER record_case_of_removed_record AFTER DELETE ON records
BEGIN
    DELETE FROM record_case_new WHERE rid = old.rid;
    UPDATE record_case
        SET cases = unhex(hex(substr(cases, 1, (old.rid & 511) * 4)) || '00000000'
                          || hex(substr(cases, (old.rid & 511) * 4 + 5)))
        WHERE chunk = old.rid >> 9 AND length(cases) > (old.rid & 511) * 4;
    UPDATE record_case_state SET generation = generation + 1;
END;
