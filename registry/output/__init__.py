"""Documents for people: printable HTML and Excel workbooks of rosters and reports.

``document`` turns query answers into format-neutral sections (a heading, a
date line, columns, rows); ``html`` and ``xlsx`` lay those sections out.  The
terminal tables, JSON and CSV stay in ``registry.render``.
"""
