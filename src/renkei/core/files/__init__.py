"""Files people upload, handled once for every app.

- `uploads`: the size limit (one helper for forms, views, the API and imports) and the type checks
  of attachments (extension and content must agree);
- `tabular`: the one safe reader of CSV/TSV text and .xlsx workbooks (encoding detection, zip-bomb
  and XML checks before openpyxl, row and column caps, the formula-quote rule);
- `pending`: an upload kept on the server between a preview and a confirm step.
"""
