"""The IDOR guard of the registry, chain and software pages and API endpoints: every row of
tests/permissions/rows.py, checked the same way (tests/idor.py):
  - anonymous:               pages redirect to the login page, JSON endpoints answer 401;
  - a viewer:                every write answers 403 and changes nothing; reads answer 200;
  - a user limited to the subsidiary (`limited_analyst`): every object of the own company answers
                             404 (and nothing changes), such objects are absent from lists, and a
                             create naming them as a reference is refused;
  - the analyst (full scope): reads answer 200 and writes succeed, which proves the payloads valid.
The pages and the API endpoints are two test modules (test_guard.py, test_guard_api.py), so that
pytest-xdist runs them side by side; both build their objects once.
"""

from __future__ import annotations

import pytest

from tests.permissions import guard
from tests.permissions.rows import PAGE_ROWS

pytestmark = pytest.mark.usefixtures("world")
guard.add_tests(globals(), PAGE_ROWS)
