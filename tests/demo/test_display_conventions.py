"""Issue 13 §1: the pages of the demo, crawled as an administrator in Japanese and English, show
no raw codes: no UTC offsets or ISO timestamps, no model or field codes, no untranslated enum values."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

from renkei.accounts.models import User
from renkei.demo.loader import load_demo_data
from tests.idor import module_objects

_shared_objects, objects = module_objects(load_demo_data)
pytestmark = pytest.mark.usefixtures("objects")

START_PAGES = ("core:dashboard", "core:audit_list", "core:help")
# What a reader must never see: a UTC offset, an ISO date-time, internal model/field codes.
FORBIDDEN = (
    (re.compile(r"[+-]00:00\b"), "a UTC offset"),
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d"), "an ISO date-time"),
    (re.compile(r"\d\d:\d\d:\d\d\.\d{3,}"), "a time with microseconds"),
    (re.compile(r"organisation[-_]tag", re.I), "a model code"),
    (re.compile(r"\b(?:group_company|created_at|updated_at|valid_until|record_count|person_count)\b"), "a field code"),
    (re.compile(r"/tmp/|\b(?:certifications|evidence|sboms?|attachments)/\d+/"), "a server file path"),  # noqa: S108 - looked for, not used
)


class VisibleText(HTMLParser):
    """The text a reader sees (no scripts, styles or attribute values) and the page's own links."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("/api/"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _login(client, language: str) -> None:  # type: ignore[no-untyped-def]
    admin = User.objects.get(username="demo-admin")
    admin.language = language  # the pages follow the user's saved language
    admin.save(update_fields=["language"])
    client.force_login(admin)


def _crawl(client, language: str, limit: int = 220) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _login(client, language)
    seen: dict[str, str] = {}
    queue = [reverse(name) for name in START_PAGES]
    per_prefix: dict[str, int] = {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        # One page of each kind is enough: /registry/organisations/12/ and /…/13/ look alike.
        shape = re.sub(r"\d+", "N", url)
        if url in seen or per_prefix.get(shape, 0) >= 1 or any(
            word in path for word in ("/delete", "/logout", "/export", "/download", "/language", "/revoke", "/favicon")
        ):
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        per_prefix[shape] = per_prefix.get(shape, 0) + 1
        parser = VisibleText()
        parser.feed(response.content.decode())
        seen[url] = " ".join(parser.parts)
        queue.extend(link for link in parser.links if link not in seen)
    return seen


def _enum_codes() -> re.Pattern[str]:
    """The stored values of our models' choices that read as codes (snake_case), e.g. `in_progress`."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("renkei."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]+_[a-z_]+", value):
                    codes.add(value)
    return re.compile(r"(?<![\w/.-])(?:" + "|".join(sorted(codes, key=len, reverse=True)) + r")(?![\w/.-])")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_pages_show_no_codes_raw_times_or_paths(client, language):  # type: ignore[no-untyped-def]
    pages = _crawl(client, language)
    assert len(pages) > 100, sorted(pages)
    problems = []
    for url, text in pages.items():
        for pattern, what in (*FORBIDDEN, (_enum_codes(), "an enum value")):
            found = pattern.search(text)
            if found:
                start = max(found.start() - 40, 0)
                problems.append(f"{url}: {what}: …{text[start:found.end() + 40]}…")
    assert not problems, "\n".join(problems[:40])


def test_japanese_pages_show_dates_and_counts_in_the_japanese_way(client):  # type: ignore[no-untyped-def]
    _login(client, "ja")
    audit = client.get(reverse("core:audit_list")).content.decode()
    assert re.search(r"\d{4}/\d\d/\d\d \d\d:\d\d", audit)
    assert not re.search(r">\s*\d{4}-\d\d-\d\d", audit)
