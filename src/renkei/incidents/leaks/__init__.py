"""Leak attribution (M13): the ledger of datasets shared with recipients (fingerprints and canary rows),
and tracing a leaked sample back to its likely source.

Engines (pure, no ORM): `fingerprinting` (normalised values and keyed fingerprints), `matching`
(against the ledger), `canaries` (invented rows), `files` and `csv_parts` (reading a leaked sample),
`outgoing` (the dataset about to be shared), `tracing` (a whole trace). Around them the usual
`models`, `selectors`, `services`, `tasks` (large samples in the worker), `forms`, `views`, `urls`.
"""
