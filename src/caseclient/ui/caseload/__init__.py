"""The officer's caseload: a sortable, searchable table of cases."""
