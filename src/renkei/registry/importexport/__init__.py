"""Import and export of organisations, relationships and contacts as CSV and Excel.

The flow is the same for the web pages and the commands:

- `reading.parse_upload` reads a file safely into plain rows (`ParsedUpload`, JSON-serialisable);
- `plan.build_plan` validates the rows against the database and says, row by row, what would be
  created, updated or left unchanged, with each row's errors — it writes nothing;
- `apply.registry_import` re-plans inside one transaction and, when no row has an error, writes
  every change through the registry services (all or nothing);
- `writing` exports what a user may see in the same format, so export → import changes nothing.
"""
