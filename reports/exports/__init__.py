"""Exports and reports: unit status sheets, progress workbooks, consent forms, the report to the district."""
