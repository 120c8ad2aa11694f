"""Reading an enrichment file safely: size-limited, gzip decompressed with a bound (a gzip bomb
stops at the limit instead of filling the memory), decoded as UTF-8."""

from __future__ import annotations

import zlib
from typing import BinaryIO

from django.utils.translation import gettext as _

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 16


class EnrichmentError(ValueError):
    """The file is unusable: the message says why, in the active language (for people)."""


def read_text(handle: BinaryIO, *, max_bytes: int, max_decompressed: int) -> str:
    """The file's text: at most `max_bytes` read, at most `max_decompressed` after gunzip."""
    raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise EnrichmentError(_("The file is larger than {mb} MB.").format(mb=max(1, max_bytes // 2**20)))
    if raw.startswith(GZIP_MAGIC):
        raw = gunzip(raw, max_decompressed)
    elif len(raw) > max_decompressed:
        raise EnrichmentError(_("The file is larger than {mb} MB.").format(mb=max(1, max_decompressed // 2**20)))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EnrichmentError(_("The file is not UTF-8 text.")) from exc


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, never producing more than `limit` bytes."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = data
    try:
        while pending:
            out += inflater.decompress(pending, limit + 1 - len(out))
            if len(out) > limit:
                raise EnrichmentError(
                    _("The file unpacks to more than {mb} MB.").format(mb=max(1, limit // 2**20))
                )
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise EnrichmentError(_("The gzip file is damaged.")) from exc
    if not inflater.eof:
        raise EnrichmentError(_("The gzip file is truncated."))
    return bytes(out)
