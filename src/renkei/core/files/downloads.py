"""Every download of a file that someone uploaded: always an attachment, never shown in the browser.

An uploaded file is someone else's content. Served inline, an HTML page or SVG image among the
evidence would run its scripts on our origin; so the response is an attachment of type
application/octet-stream (whatever the name says), without sniffing, and with a sandboxing
Content-Security-Policy in case a browser renders it anyway.
"""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse

SANDBOX_POLICY = "default-src 'none'; sandbox"


def attachment_response(handle: IO[bytes] | Any, filename: str) -> FileResponse:
    """A stored upload as a download (`Content-Disposition: attachment`)."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # Set before django-csp's middleware, which leaves a policy already set alone.
    response["Content-Security-Policy"] = SANDBOX_POLICY
    return response
