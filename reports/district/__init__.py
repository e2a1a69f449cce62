"""The street's progress report to the district head: its figures (figures.py), the report built from
them (report.py), the editable Word document (word.py) and the pages (views.py)."""
