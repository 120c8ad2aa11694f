"""Once-per-transaction work: pins what core/transactions.py reads of Django's on-commit list."""

from __future__ import annotations

import pytest
from django.db import transaction

from renkei.core.transactions import on_commit_once, pending_on_commit

pytestmark = pytest.mark.django_db(transaction=True)


class Batch:
    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> None:
        self.runs += 1


def test_registered_many_times_in_one_transaction_runs_once_after_commit() -> None:
    calls: list[str] = []

    def send() -> None:
        calls.append("sent")

    with transaction.atomic():
        for _ in range(3):
            on_commit_once(send)
        assert calls == []
    assert calls == ["sent"]


def test_a_pending_callback_is_found_until_it_runs_and_dropped_on_rollback() -> None:
    batch = Batch()
    with transaction.atomic():
        assert pending_on_commit(Batch) is None
        transaction.on_commit(batch)
        assert pending_on_commit(Batch) is batch
    assert batch.runs == 1
    assert pending_on_commit(Batch) is None

    dropped = Batch()
    with transaction.atomic():
        transaction.on_commit(dropped)
        transaction.set_rollback(True)
    assert dropped.runs == 0 and pending_on_commit(Batch) is None


def test_outside_a_transaction_it_runs_at_once() -> None:
    calls: list[str] = []
    on_commit_once(lambda: calls.append("now"))
    assert calls == ["now"]
