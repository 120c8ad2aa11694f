"""Rate limits shared by every web process: attempts are counted in the database.

A fixed window per (bucket, client): the first attempt in a window creates the row, every attempt
adds one with a single UPDATE ... SET count = count + 1, so concurrent processes never lose a count.
The default cache (LocMemCache) is per process and would give each of N processes its own
allowance; the database is shared by all of them. Expired rows of a bucket are removed when a new
window starts, so the table stays as small as the number of recently active clients.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from renkei.core.models import RateLimitCounter


def _window_start(now: datetime, window_seconds: int) -> datetime:
    seconds = int(now.timestamp()) // window_seconds * window_seconds
    return datetime.fromtimestamp(seconds, tz=UTC)


def rate_limit_hit(*, bucket: str, client: str | None, limit: int, window_seconds: int) -> bool:
    """Count one attempt; True when this client has now used more than `limit` in the window.
    Requests without a known address (`client` None) share one allowance.

    The key is a hash of bucket and address, so the table holds no addresses in clear.
    """
    now = timezone.now()
    start = _window_start(now, window_seconds)
    key = hashlib.sha256(f"{bucket}\0{client or 'unknown'}".encode()).hexdigest()
    # Its own transaction (a savepoint inside a request's): the count must not depend on the page.
    with transaction.atomic():
        counter, created = RateLimitCounter.objects.get_or_create(
            key=key, window_start=start, defaults={"expires_at": start + timedelta(seconds=window_seconds)}
        )
        RateLimitCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
        count = RateLimitCounter.objects.filter(pk=counter.pk).values_list("count", flat=True).get()
    if created:
        RateLimitCounter.objects.filter(expires_at__lt=now).delete()
    return count > limit

