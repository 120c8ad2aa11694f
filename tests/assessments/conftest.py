"""Fixtures of the assessments tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renkei.accounts.services import api_token_create


@pytest.fixture
def token_client(analyst: Any) -> Client:
    """A client authenticated with an API token of the analyst."""
    _token, raw = api_token_create(user=analyst, name="CI", days=30)
    return Client(headers={"Authorization": f"Bearer {raw}"})
