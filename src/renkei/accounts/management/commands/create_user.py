"""`renkei manage create_user USERNAME --role ROLE [--password P] [--company NAME ...]`."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkei.accounts import services
from renkei.core.audit import audit_context
from renkei.core.errors import RenkeiError
from renkei.core.permissions import Role
from renkei.core.tenancy import group_companies
from renkei.registry.models import Organisation


class Command(BaseCommand):
    help = "Create a user with a role, optionally limited to some group companies."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", help="the initial password; asked for when omitted")
        parser.add_argument(
            "--company",
            action="append",
            default=[],
            metavar="NAME",
            help="limit the user to this group company (repeatable); omit for the whole group",
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--language", choices=["ja", "en"], default="ja")

    def handle(self, *args: Any, **options: Any) -> None:
        companies = [self._company(name) for name in options["company"]]
        password = options["password"] or self._ask_password()
        try:
            with audit_context(actor=None, via="command: create_user"):
                user = services.user_create(
                    actor=None,
                    username=options["username"],
                    role=options["role"],
                    password=password,
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    language=options["language"],
                    companies=companies,
                )
        except RenkeiError as exc:
            raise CommandError("; ".join(f"{i.field or 'error'}: {i.message}" for i in exc.items)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username} ({user.role})."))

    def _company(self, name: str) -> Organisation:
        matches = list(group_companies().filter(name=name)[:2])
        if len(matches) != 1:
            known = ", ".join(group_companies().values_list("name", flat=True))
            problem = "is not one of our group companies" if not matches else "is ambiguous"
            raise CommandError(f"Company {name!r} {problem}. Known: {known or 'none'}")
        return matches[0]

    def _ask_password(self) -> str:
        try:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("No password given (use --password when not interactive).") from exc
        if first != second:
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("The password may not be empty.")
        return first
