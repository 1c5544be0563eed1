"""Exchange with other systems: the registry's holdings out as open data, an office's roster in.

- records: holdings as exchange records with stable ids and their sources
- popolo: one Popolo JSON document
- ftm: FollowTheMoney entities (needs the optional ``followthemoney`` library)
- roster_import: a starting roster (.xlsx or .csv) recorded as a source of its own kind
"""
