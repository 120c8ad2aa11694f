"""The shared IDOR base's write guard must catch every change, and only changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from renkei.accounts.models import ApiToken
from renkei.registry.models import Organisation
from tests.factories import OrganisationFactory, UserFactory, own_company
from tests.idor import no_writes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_company() -> None:
    own_company()


def test_a_create_an_update_and_a_delete_each_fail_the_guard() -> None:
    party = OrganisationFactory()
    with pytest.raises(AssertionError, match="registry_organisation"), no_writes("create"):
        OrganisationFactory()
    with pytest.raises(AssertionError, match="registry_organisation"), no_writes("update"):
        Organisation.objects.filter(pk=party.pk).update(name="別名")
    with pytest.raises(AssertionError, match="registry_organisation"), no_writes("delete"):
        Organisation.objects.filter(pk=party.pk).delete()


def test_a_write_undone_by_a_rollback_still_fails_the_guard() -> None:
    with (
        pytest.raises(AssertionError, match="registry_organisation"),
        no_writes("rolled back"),
        transaction.atomic(),
    ):
        OrganisationFactory()
        transaction.set_rollback(True)


def test_reads_and_use_only_fields_pass() -> None:
    user: Any = UserFactory()
    token = ApiToken.objects.create(user=user, name="t", token_hash="x" * 64, expires_at=timezone.now())
    with no_writes("reads"):
        list(Organisation.objects.all())
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
