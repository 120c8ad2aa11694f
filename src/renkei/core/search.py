"""Stored search keys: a model keeps its searchable text normalised (`core.text`) in a column, so
a list search is one `contains` on that column, the same on SQLite and PostgreSQL, and ignores
width, case, katakana/hiragana and spacing.

The keys are derived data. They are recomputed in `save()` and in `bulk_create()` rather than in
each service, because a stale key makes a record unfindable without any error, and every write
path (services, imports, the demo, commands, benchmarks) goes through one of the two.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DatabaseError, migrations, models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from renkei.core.text import normalise_for_search, search_text

SEARCH_COLUMN_SUFFIX = "search_text"


_M = TypeVar("_M", bound=models.Model)


class SearchableManager(models.Manager[_M]):
    def bulk_create(self, objs: Iterable[_M], *args: Any, **kwargs: Any) -> list[_M]:
        objs = list(objs)
        for obj in objs:
            obj.refresh_text_keys()  # type: ignore[attr-defined]
        return super().bulk_create(objs, *args, **kwargs)


class SearchableModel(models.Model):
    """A model with a `search_text` column built from `search_sources` (attribute names).

    No B-tree index on `search_text`: a `contains` (LIKE '%…%') cannot use one on either database.
    On PostgreSQL each app's migration adds a GIN trigram index (pg_trgm), which serves it
    (`trigram_indexes` below); SQLite has no index for a substring
    match. Keys that are compared whole (sort and duplicate keys) are indexed.
    """

    search_sources: Sequence[str] = ()

    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = SearchableManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_text_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.text_key_sources() & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *self.text_keys()}
        super().save(*args, **kwargs)

    def text_keys(self) -> dict[str, str]:
        """The derived columns and their values; models with more keys extend this."""
        return {"search_text": search_text(str(getattr(self, name) or "") for name in self.search_sources)}

    def text_key_sources(self) -> set[str]:
        """Fields whose change makes the keys stale."""
        return set(self.search_sources)

    def refresh_text_keys(self) -> None:
        for name, value in self.text_keys().items():
            setattr(self, name, value)


def search_condition(fields: Iterable[str], query: str) -> Q:
    """One list search over `fields`: stored search columns (names ending in `search_text`)
    match the normalised query with `contains`; other fields match the raw query, case-insensitively."""
    condition = Q()
    normalised = normalise_for_search(query)
    for field in fields:
        if field.endswith(SEARCH_COLUMN_SUFFIX):
            if normalised:
                condition |= Q(**{f"{field}__contains": normalised})
        else:
            condition |= Q(**{f"{field}__icontains": query})
    return condition


def search_q(fields: Iterable[str], value: str | None) -> Q:
    """`search_condition` for an API filter: no condition when the parameter is absent or blank."""
    value = (value or "").strip()
    return search_condition(fields, value) if value else Q()


def trigram_indexes(*tables: str) -> Any:
    """A migration operation: GIN trigram indexes on the tables' `search_text`, on PostgreSQL.

    pg_trgm is a trusted extension since PostgreSQL 13 (the database owner may create it). Where it
    cannot be created, the indexes are left out with a warning: searches still work, by a scan.
    """
    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for table in tables:
                    schema_editor.execute(
                        f"CREATE INDEX IF NOT EXISTS {table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)"
                    )
        except DatabaseError as error:
            logging.getLogger(__name__).warning("Search columns left without trigram indexes: %s", error)

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")

    return migrations.RunPython(create, drop)
