"""Secret tokens (API tokens, portal links, intake receipt codes) are stored only as digests."""

from __future__ import annotations

import hashlib
import re


def hash_token(raw: str) -> str:
    """Tokens are stored as SHA-256 digests: a database leak does not leak usable tokens."""
    return hashlib.sha256(raw.encode()).hexdigest()


# Where a working secret shows up in text: a portal link's path, a password-reset path, and the raw
# tokens themselves (portal links "rp_…", API tokens "rk_…"). Group 1 is kept, group 2 masked.
SECRET_PATTERNS = (
    re.compile(r"(/portal/t/)([^/\s?#\"'<>]+)"),
    re.compile(r"(/reset/[^/\s?#\"'<>]+/)([^/\s?#\"'<>]+)"),
    re.compile(r"(?<![\w-])(r[kp]_)([A-Za-z0-9_-]{8,})"),
)
MASK_KEEP = 4


def mask_secrets(text: str) -> str:
    """`text` with every token-bearing link and raw token cut to its first characters, for logs and the
    console: `/portal/t/rp_abcdef…/` becomes `/portal/t/rp_a…(masked)/`. Enough to tell links apart,
    never enough to open one."""
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + m.group(2)[:MASK_KEEP] + "…(masked)", text)
    return text
