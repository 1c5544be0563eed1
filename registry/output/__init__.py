"""Documents for people: printable HTML and Excel workbooks of rosters and reports.

``document`` turns query answers into format-neutral sections (a heading, a
date line, columns, rows); ``html`` and ``xlsx`` lay those sections out.  The
terminal tables, JSON and CSV stay in ``registry.render``.
"""

# The formats every query answers in (registry.render writes them), and the printable ones this
# package adds.  Named here, where nothing is imported, so that the command line can declare its
# --format choices without loading any writer.
FORMATS = ("table", "json", "csv")
PRINTED = ("html", "xlsx")
