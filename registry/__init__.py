"""registry: a personnel appointment registry with change history.

Notices are the source of truth; holdings (who held which post, when) are
derived from them and can always be rebuilt.  The modules, by concern:

- sources: files in (text, PDF, Word) and the documents they hold
- text: bytes to canonical notice text
- dates: dates as the office writes them, one grammar for typed dates and notices
- inputs: what a clerk types (dates, document numbers, moments)
- parse: notice text to actions (pure, no database)
- orgs: organization names, aliases and the title lexicon
- models: the tables, and the rules the database holds
- timerules: "held on D", "known at T", canonical order, recorded time
- limits: field lengths, checked before anything is written
- derive: actions to holdings, per organization
- record: recording, retracting and amending notices, in one transaction
- people: finding people by part of a name; merging and splitting people
- queries: roster, who held a post, history, notices
- reports: changes, probation, vacancies, integrity check
- render: tables, JSON and CSV
- exchange: open-data exports (Popolo, FollowTheMoney) and starting rosters
- dependencies: the libraries imported, and the command that installs a missing one
- complete: shell completion from the registry in effect (never creates or writes one)
- location: where the default registry lives (no database code)
"""

__version__ = "0.4.0"
