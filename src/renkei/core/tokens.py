"""Secret tokens (API tokens, portal links, intake receipt codes) are stored only as digests."""

from __future__ import annotations

import hashlib


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256 digests: a database leak does not leak usable tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()
