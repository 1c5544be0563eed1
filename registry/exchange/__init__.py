"""Exchange with other systems: the registry's holdings as Popolo and FollowTheMoney.

- records: holdings as exchange records with stable ids and their notices
- popolo: one Popolo JSON document
- ftm: FollowTheMoney entities (needs the optional ``followthemoney`` library)
"""
