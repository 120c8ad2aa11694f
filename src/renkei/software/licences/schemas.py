"""API schemas of licence compliance: `...In` bodies, `...Out` answers, filters (see `software/api.py`)."""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.


from ninja import Schema


class LicenceViolationOut(Schema):
    component_id: int
    name: str
    version: str
    licences: str
    violations: list[str]
