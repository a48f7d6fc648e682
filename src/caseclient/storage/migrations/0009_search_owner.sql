-- Caseload search asks each case, not each hit (docs/performance.md, "Caseload at
-- 100,000 contacts", third pass).
--
-- For a word in most notes, finding which cases match meant enumerating every hit
-- (~1 µs each; 22,000 for "housing") and reading where each one belongs. A second
-- column, ``owner``, holds one token naming the record's case ('x' and the hex of
-- its case id: one token whatever the id's characters), so the index itself answers
-- "does this case have a match" and stops at the first one: search.find_cases asks
-- once per case, and typed words are matched in ``body`` only.
--
-- The rows are indexed again as search.index would, the table merged into one
-- segment, and the reindex queue emptied: every entry now matches its row
-- (migration 0006 asks that of any rebuild).
DROP TABLE search;

CREATE VIRTUAL TABLE search USING fts5 (
    body,
    owner,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search (rowid, body, owner)
SELECT rid, concat_ws(char(10),
    CASE WHEN json_type(fields, '$.crn') = 'text' THEN fields ->> '$.crn' END,
    CASE WHEN json_type(fields, '$.first_name') = 'text' THEN fields ->> '$.first_name' END,
    CASE WHEN json_type(fields, '$.last_name') = 'text' THEN fields ->> '$.last_name' END),
    'x' || lower(hex(case_id))
FROM records WHERE record_type = 'case' AND deleted = 0;

INSERT INTO search (rowid, body, owner)
SELECT rid, concat_ws(char(10),
    CASE WHEN json_type(fields, '$.notes') = 'text' THEN fields ->> '$.notes' END,
    CASE WHEN json_type(fields, '$.location') = 'text' THEN fields ->> '$.location' END),
    'x' || lower(hex(case_id))
FROM records WHERE record_type = 'contact' AND deleted = 0;

INSERT INTO search (search) VALUES ('optimize');

DELETE FROM reindex_queue;
