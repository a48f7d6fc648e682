-- Each searched record's case, by rid, in a few bytes a row (docs/performance.md,
-- "Caseload at 100,000 contacts"; decision 0041).
--
-- The caseload search needs, for every index hit of a word, the hit's case: it shows
-- each case once, on its newest matching record. The index holds rids only, and
-- reading a case from ``records`` (the row, or the records_by_case index) cost ~1 µs
-- to ~120 µs a hit, 0.1-0.2 s for a word in most of 100,000 notes. Here a case is a
-- small number (case_number) and each record's case that number (record_case);
-- search.CaseOwners holds the two in memory (~2-4 bytes a record) while
-- record_case_state.generation stays the same, and find_cases maps hit rids to cases
-- with it.
--
-- search.index, index_many and catch_up (the writers of entries) write a record's
-- row with its entry. A new record's row does not move the generation: its rid is
-- above every rid a remembered map holds (rids only grow while no row leaves the
-- table), and find_cases looks such rids up here. A record moving to another case
-- moves it (search._own), and so does a row leaving ``records`` (the trigger below,
-- whoever deletes it: its rid can then be given to a new record). Rows stay for
-- deleted records (find_cases reads the rows it shows and passes deleted ones over).
-- The types are search._INDEXED's.
CREATE TABLE case_number (
    case_no INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE
);

CREATE TABLE record_case (
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

INSERT INTO record_case (rid, case_no)
SELECT r.rid, c.case_no FROM records r JOIN case_number c ON c.case_id = r.case_id
WHERE r.record_type IN ('case', 'contact');

CREATE TRIGGER record_case_of_removed_record AFTER DELETE ON records
BEGIN
    DELETE FROM record_case WHERE rid = old.rid;
    UPDATE record_case_state SET generation = generation + 1;
END;
