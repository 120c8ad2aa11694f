"""The pending-upload store (core.files.pending): kept between a preview and a confirm step."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from renkei.core.files import pending
from renkei.core.files.pending import PendingUploads

STORE = PendingUploads(folder="tests/pending", session_key="test_upload", also_clean=("tests/outcomes",))


def test_an_upload_is_kept_for_its_session_under_a_random_token():
    session: dict = {}
    token = STORE.save_json(session, {"rows": [1, 2]}, step="preview")
    entry = STORE.entry(session, token)
    assert entry is not None and entry["step"] == "preview"
    assert pending.load_json(entry["path"]) == {"rows": [1, 2]}
    # Another token (another upload, or one guessed), or none at all, is not this upload.
    assert STORE.entry(session, "guessed") is None
    assert STORE.entry(session, "") is None
    assert STORE.entry({}, token) is None
    assert STORE.entry(session) is entry
    STORE.update(session, step="confirm")
    assert STORE.entry(session, token)["step"] == "confirm"  # type: ignore[index]


def test_a_new_upload_or_cancelling_deletes_the_file():
    session: dict = {}
    STORE.save(session, b"first", suffix=".bin")
    first = session["test_upload"]["path"]
    STORE.save(session, b"second", suffix=".bin")
    assert not default_storage.exists(first)
    second = session["test_upload"]["path"]
    assert pending.load_bytes(second) == b"second"
    STORE.discard(session)
    assert "test_upload" not in session
    assert not default_storage.exists(second)
    # Handed on (to a worker): forgotten, but the file stays for the worker to read.
    STORE.save(session, b"third", suffix=".bin")
    third = session["test_upload"]["path"]
    STORE.discard(session, delete_file=False)
    assert default_storage.exists(third)
    pending.delete(third)
    assert pending.load_bytes(third) is None


def test_files_left_behind_are_removed_after_a_day():
    old = default_storage.save("tests/outcomes/old.json", ContentFile(b"{}"))
    stale = (dt.datetime.now() - dt.timedelta(hours=25)).timestamp()
    os.utime(default_storage.path(old), (stale, stale))
    fresh = default_storage.save("tests/outcomes/fresh.json", ContentFile(b"{}"))
    STORE.save({}, b"new", suffix=".bin")
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
    pending.delete(fresh)


def test_a_status_is_rewritten_in_place_and_bad_json_is_no_status():
    pending.replace("tests/outcomes/status.json", b'{"state": "queued"}')
    pending.replace("tests/outcomes/status.json", b'{"state": "done"}')
    assert pending.load_json("tests/outcomes/status.json") == {"state": "done"}
    pending.replace("tests/outcomes/status.json", b"[1, 2]")
    assert pending.load_json("tests/outcomes/status.json") is None
    pending.replace("tests/outcomes/status.json", b"not json")
    assert pending.load_json("tests/outcomes/status.json") is None
    pending.delete("tests/outcomes/status.json")
    assert pending.same_token("abc", "abc") and not pending.same_token("abc", "") and not pending.same_token(None, "x")
