"""Work that must happen once per transaction, after it commits.

Django runs `transaction.on_commit` callbacks after the outermost atomic block commits, drops them
when it rolls back, and runs them at once outside a transaction. It offers no public way to ask
which callbacks are still waiting, which we need so that a thousand saves in one import queue one
task and send one signal. Django keeps them in `connection.run_on_commit`, a list of
(savepoint ids, callback, robust); this module is the only place that reads it, and
tests/core/test_transactions.py pins that behaviour so that a Django upgrade changing it fails
there, not silently in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

Pending = TypeVar("Pending")


def pending_on_commit(kind: type[Pending], where: Callable[[Pending], bool] | None = None) -> Pending | None:
    """The first callback of type `kind` (and accepted by `where`) that the current transaction
    registered. A callback can stay registered after it ran (`durable` blocks inside a test's
    transaction), so a caller that must join only work not yet done says so with `where`."""
    for _savepoint_ids, func, _robust in transaction.get_connection().run_on_commit:
        if isinstance(func, kind) and (where is None or where(func)):
            return func
    return None


def on_commit_once(func: Callable[[], Any]) -> None:
    """Run `func` when the current transaction commits, once however often it is registered."""
    if any(registered is func for _savepoint_ids, registered, _robust in transaction.get_connection().run_on_commit):
        return
    transaction.on_commit(func)
