-- Search without a second copy of every note (docs/performance.md).
--
-- 0002 kept the indexed text inside the FTS5 table as well as in ``records``, so
-- every autosave wrote the whole note twice and re-read the old text to take its
-- words out of the index. A contentless table with contentless_delete keeps only
-- the index: a row is replaced by rowid without re-reading what it held, and the
-- text stays in ``records`` alone (search.py cuts the snippet from there).
--
-- 0002 also left records already in the store unindexed. This step fills the new
-- table from every live record of a searched type, with the same body that
-- search.index builds: the searched fields that are strings, in order, one per line
-- (tests/storage/test_search.py keeps the two in step).
DROP TABLE search;

CREATE VIRTUAL TABLE search USING fts5 (
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search (rowid, body)
SELECT rid, concat_ws(char(10),
    CASE WHEN json_type(fields, '$.crn') = 'text' THEN fields ->> '$.crn' END,
    CASE WHEN json_type(fields, '$.first_name') = 'text' THEN fields ->> '$.first_name' END,
    CASE WHEN json_type(fields, '$.last_name') = 'text' THEN fields ->> '$.last_name' END)
FROM records WHERE record_type = 'case' AND deleted = 0;

INSERT INTO search (rowid, body)
SELECT rid, concat_ws(char(10),
    CASE WHEN json_type(fields, '$.notes') = 'text' THEN fields ->> '$.notes' END,
    CASE WHEN json_type(fields, '$.location') = 'text' THEN fields ->> '$.location' END)
FROM records WHERE record_type = 'contact' AND deleted = 0;
