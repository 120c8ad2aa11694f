"""Settings every test runs with; shared by the per-test fixture (conftest) and data built once per module."""

from __future__ import annotations

from typing import Any

TEST_SETTINGS: dict[str, Any] = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AXES_ENABLED": False,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}
