"""Backups keep what tracing needs (docs/operations.md, Backups): the database holds the ledger, the
fingerprint key lives outside it (RENKEI_LEAK_KEY, else derived from the secret key). A dump of the
database restored into a fresh one, on another data directory, still attributes a sample made before
the backup, given the same key; with another key, the ledger cannot be compared."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import orjson
from django.core.management import call_command

from renkei.incidents.leaks import services
from renkei.incidents.leaks.models import SharedDataset
from tests import factories as f
from tests.incidents import leak_samples as s

KEY = "leak key kept in the password safe"
NAME, EMAIL, POSTAL, ADDRESS = 1, 3, 6, 7


def renkei(*args: str, data_dir: Path, leak_key: str) -> str:
    """`renkei manage …` in a fresh process, as on the host we restore to (SQLite in its data
    directory, another secret key, the fingerprint key from the backup)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RENKEI_LEAK_KEY", "RENKEI_SECRET_KEY")}
    env.update(RENKEI_DATA_DIR=str(data_dir), RENKEI_SECRET_KEY="another host, another secret", RENKEI_LEAK_KEY=leak_key)
    command = [sys.executable, "-m", "renkei.cli", "manage", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_restored_database_still_traces_a_sample_made_before_the_backup(
    csirt_user: Any, own: Any, settings: Any, tmp_path: Path
) -> None:
    settings.RENKEI_LEAK_KEY = KEY
    settings.RENKEI_CANARY_DOMAIN = "canary.test.example"
    recipients = [f.OrganisationFactory(name=name, group_company=own) for name in ("配送会社A", "印刷会社B")]
    sent = {}
    for recipient, start in zip(recipients, (0, 200), strict=True):
        dataset = SharedDataset(recipient=recipient, name="会員名簿", shared_on=dt.date(2026, 4, 1))
        sent[recipient.name] = services.dataset_share(
            user=csirt_user, dataset=dataset, data=s.csv_bytes(s.CUSTOMER_HEADER, s.customers(start, 300)),
            filename="会員.csv", canary_count=5,
        )  # fmt: skip
    # The sample, made before the backup: a delivery list of B's copy, with two of its canaries.
    canary_emails = set(sent["印刷会社B"].dataset.canaries.values_list("email", flat=True))
    rows = s.parse_csv(sent["印刷会社B"].content)[1:]
    picked = [r for r in rows if r[EMAIL] not in canary_emails][:40] + [r for r in rows if r[EMAIL] in canary_emails][:2]
    random.Random(5).shuffle(picked)
    sample = tmp_path / "sample.csv"
    sample.write_bytes(s.csv_bytes(["住所", "氏名", "〒"], [[s.block_form(r[ADDRESS]), r[NAME], r[POSTAL]] for r in picked]))
    before = services.leak_trace(user=None, data=sample.read_bytes(), filename="sample.csv")
    assert before["conclusion"]["verdict"] == "canary"

    # The backup: the database (here as a dump of every app's data) and, kept apart, the key. The
    # built-in frameworks are left out: the fresh database installs its own when migrated, and their
    # ids differ once earlier tests have reinstalled them (this test makes no assessment data).
    dump = tmp_path / "backup.json"
    out = StringIO()
    call_command(
        "dumpdata", "--natural-foreign", "--exclude=contenttypes", "--exclude=auth.permission",
        "--exclude=sessions", "--exclude=assessments", stdout=out,
    )  # fmt: skip
    dump.write_text(out.getvalue(), encoding="utf-8")

    restored = tmp_path / "restored"
    restored.mkdir()
    renkei("migrate", "-v0", data_dir=restored, leak_key=KEY)
    renkei("loaddata", str(dump), "-v0", data_dir=restored, leak_key=KEY)
    after = orjson.loads(renkei("leak_trace", str(sample), "--json", data_dir=restored, leak_key=KEY))
    assert after["skipped_datasets"] == 0 and after["datasets_compared"] == 2
    assert [r["recipient"] for r in after["canary_recipients"]] == ["印刷会社B"]
    assert after["conclusion"]["verdict"] == "canary" and after["conclusion"]["text"] == before["conclusion"]["text"]
    assert [(r["recipient"], r["rows"]) for r in after["recipients"]] == [(r["recipient"], r["rows"]) for r in before["recipients"]]

    # Without the key the ledger is there but cannot be compared: the key is part of the backup.
    lost = orjson.loads(renkei("leak_trace", str(sample), "--json", data_dir=restored, leak_key="a new key"))
    assert lost["skipped_datasets"] == 2 and lost["datasets_compared"] == 0
    assert lost["canary_recipients"] == [] and lost["conclusion"]["verdict"] == "none"
