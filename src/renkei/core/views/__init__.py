"""Generic views, by kind: `objects` (list, detail, edit, delete), `actions` (one-off actions,
confirmations, records created under a parent) and `errors` (error pages, health check).
Import from the module that holds the view."""
