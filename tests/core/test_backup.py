"""`renkei backup` then `renkei restore` on another host: every table, every uploaded file and the keys
come back, so a portal link sent before still opens and a leaked sample still names its recipient.

The backup is taken from the test database (SQLite, or PostgreSQL when the suite runs with
DATABASE_URL); the restore runs as the real command in a fresh process with an empty data directory
(and, on PostgreSQL, an empty database made for the test), without the source's keys in its environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.utils import load_backend

from renkei.assessments.answering import services as answering
from renkei.core.backup.services import backup_create
from renkei.demo.loader import load_demo_data
from renkei.incidents.intake.models import IntakeAttachment
from renkei.incidents.leaks import services as leak_services
from renkei.registry.models import Organisation
from tests.assessments import factories as af

pytestmark = pytest.mark.django_db(transaction=True)

CHECK_AFTER_RESTORE = """
import json, sys
import django
django.setup()
from django.test import Client
from renkei.accounts.services import portal_link_find
from renkei.incidents.leaks import services
token, path, sample = sys.argv[1:4]
link = portal_link_find(token)
page = Client().get(path, follow=True)
trace = services.leak_trace(user=None, data=open(sample, "rb").read(), filename="sample.csv")
print(json.dumps({
    "link": link.organisation.name if link else None, "state": link.state if link else None,
    "status": page.status_code, "page": page.content.decode(),
    "verdict": trace["conclusion"]["verdict"], "text": trace["conclusion"]["text"],
    "canary_recipients": [r["recipient"] for r in trace["canary_recipients"]],
}, ensure_ascii=False))
"""


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The new host: its own data directory, no keys of the old host in its environment."""
    drop = ("DATABASE_URL", "RENKEI_SECRET_KEY", "RENKEI_LEAK_KEY", "RENKEI_MEDIA_ROOT")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        RENKEI_DATA_DIR=str(data_dir),
        RENKEI_ALLOWED_HOSTS="testserver",
        RENKEI_LEAK_WORKERS="1",
        DJANGO_SETTINGS_MODULE="renkei.settings",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def table_digests(conn: Any) -> dict[str, tuple[int, str]]:
    """Rows and a content hash of every table (whatever the apps define today), order-independent."""
    digests = {}
    with conn.cursor() as cursor:
        for table in conn.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            rows = sorted(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
                for row in cursor.fetchall()
            )
            digests[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digests


def file_digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def restore_database() -> Iterator[tuple[dict[str, Any], str | None]]:
    """The empty target database: a file in the new data directory (SQLite), or a new PostgreSQL database."""
    if connection.vendor != "postgresql":
        yield dict(connection.settings_dict), None
        return
    import psycopg

    source = connection.settings_dict
    name = f"renkei_backup_test_{uuid.uuid4().hex[:12]}"
    params = {"host": source["HOST"] or None, "port": source["PORT"] or None, "user": source["USER"] or None,
              "password": source["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    url = f"postgres://{user}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}/{name}"
    try:
        yield {**source, "NAME": name}, url
    finally:
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restore_on_a_new_host_brings_back_every_table_file_and_key(
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    restore_database: tuple[dict[str, Any], str | None],
) -> None:
    settings.SECRET_KEY = "the secret key of the host we back up"
    settings.RENKEI_LEAK_KEY = ""  # the fingerprint key is derived from the secret key: it must come back
    monkeypatch.delenv("RENKEI_LEAK_KEY", raising=False)
    summary = load_demo_data()
    party_name, portal_url = summary.portal_links[0]
    # An evidence file a partner uploaded, besides the demo's SBOMs, deliveries and the reporter's sample.
    assignment = af.assignment(organisation=Organisation.objects.get(name=party_name))
    question = assignment.framework.questions.get(ref="B-1")
    answering.evidence_add(
        respondent=answering.Respondent(name="山田 太郎"), assignment=assignment, question_id=question.pk,
        upload=SimpleUploadedFile("多要素認証の設定画面.pdf", b"%PDF-1.4 evidence of MFA"),
    )  # fmt: skip
    sample = tmp_path / "sample.csv"
    sample.write_bytes(IntakeAttachment.objects.get().file.read())
    before = leak_services.leak_trace(user=None, data=sample.read_bytes(), filename="sample.csv")
    assert before["conclusion"]["verdict"] == "canary"

    archive = tmp_path / "renkei-backup.tar.gz"
    result = backup_create(destination=archive)
    assert archive.stat().st_mode & 0o777 == 0o600
    assert result.manifest["media_files"] == len(file_digests(Path(settings.MEDIA_ROOT))) >= 9

    new_host = tmp_path / "new-host"
    new_host.mkdir()
    target_settings, database_url = restore_database
    env = _environment(new_host, database_url)
    restored = _run(["-m", "renkei.cli", "restore", str(archive)], env)
    assert restored.returncode == 0, restored.stderr
    assert "復元しました / Restored." in restored.stdout and restored.stderr == ""
    if database_url is None:
        target_settings["NAME"] = str(new_host / "renkei.sqlite3")
        assert (new_host / "renkei.sqlite3").stat().st_mode & 0o777 == 0o600
    assert {p.stat().st_mode & 0o777 for p in (new_host / "media").rglob("*")} <= {0o600, 0o700}

    source_tables = table_digests(connection)
    target = load_backend(target_settings["ENGINE"]).DatabaseWrapper(target_settings, alias="restored")
    try:
        assert table_digests(target) == source_tables
    finally:
        target.close()
    assert file_digests(new_host / "media") == file_digests(Path(settings.MEDIA_ROOT))

    # The portal link from the e-mail opens the party's page; the sample still names its recipient.
    token = urlsplit(portal_url).path.rstrip("/").rsplit("/", 1)[-1]
    checked = _run(["-c", CHECK_AFTER_RESTORE, token, urlsplit(portal_url).path, str(sample)], env)
    assert checked.returncode == 0, checked.stderr
    after = json.loads(checked.stdout.strip().splitlines()[-1])
    assert (after["link"], after["state"], after["status"]) == (party_name, "active", 200)
    assert party_name in after["page"]
    assert after["verdict"] == "canary" and after["text"] == before["conclusion"]["text"]
    assert after["canary_recipients"] == [r["recipient"] for r in before["canary_recipients"]]

    assert (new_host / "secret_key").read_text() == django_settings.SECRET_KEY
    if database_url is None:
        return  # --force over SQLite and uploaded files: test_backup_archive.py, without a process
    # PostgreSQL: again over the now used database, which `pg_restore --clean --if-exists` replaces exactly.
    forced = _run(["-m", "renkei.cli", "restore", str(archive), "--force"], env)
    assert forced.returncode == 0, forced.stderr
    target = load_backend(target_settings["ENGINE"]).DatabaseWrapper(target_settings, alias="restored")
    try:
        assert table_digests(target) == source_tables  # the portal visit after the first restore is gone
    finally:
        target.close()
