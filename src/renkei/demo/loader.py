"""Loads the demo data set: the registry tables of `demo.data` through the registry services, the
demo users, then each capability's own demo (`software.demo`, `incidents.demo_response`,
`assessments.demo`, kept next to their data), all in one transaction.

The demo package sits on top: it is the only place that imports across capabilities to build the
demo, so the apps stay independent of each other and registry imports nothing above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from renkei.accounts.models import User
from renkei.assessments.demo import load_assessment_demo
from renkei.chain.services import tiers_recompute
from renkei.core.audit import audit_context
from renkei.core.mail import muted
from renkei.core.tenancy import own_company
from renkei.demo.data import (
    ACCESS,
    ASSETS,
    AUDIT_VIA,
    CERTIFICATIONS,
    CONTACTS,
    DEMO_LOGINS,
    DEMO_USER_NAMES,
    HOLDINGS,
    OURS,
    OWN_COMPANY_NAME,
    PARTIES,
    RELATIONSHIPS,
    DemoLogin,
    K,
    demo_corporate_number,
)
from renkei.incidents.demo_leaks import load_leak_demo
from renkei.incidents.demo_response import load_response_demo
from renkei.registry.models import (
    Certification,
    Contact,
    DataHolding,
    InformationAsset,
    Organisation,
    Relationship,
    SystemAccess,
)
from renkei.registry.services import (
    asset_save,
    certification_save,
    contact_save,
    holding_save,
    organisation_save,
    relationship_save,
    system_access_save,
)
from renkei.software.demo import load_software_demo


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo_data` did: `created` is False when the own company already existed."""

    created: bool
    own_company: str
    counts: dict[str, int] = field(default_factory=dict)
    tiers_changed: int = 0
    logins: tuple[DemoLogin, ...] = ()
    # Demo usernames that existed before the load and were left untouched (their passwords may differ).
    skipped_users: tuple[str, ...] = ()
    # (party name, portal URL): a partner's way into the portal, to try answering a questionnaire.
    portal_links: tuple[tuple[str, str], ...] = ()



# ---------------------------------------------------------------------------------------- loader


class _Loader:
    """Builds the data set through the registry services; keys in the tables above refer to parties."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.orgs: dict[str, Organisation] = {}
        self.managed_by: dict[str, str] = {}  # party key → key of the group company that manages it
        self.assets: dict[str, InformationAsset] = {}
        self.counts: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def organisations(self) -> None:
        for serial, party in enumerate(OURS + PARTIES, start=1):
            org = Organisation(
                name=party.name,
                name_reading=party.reading,
                kind=party.kind,
                corporate_number=demo_corporate_number(serial) if party.has_corporate_number else "",
                country=party.country,
                address=party.address,
                web_domains=party.domain,
                criticality=party.criticality,
                status=party.status,
                notes=party.notes,
            )
            ours = party.kind in (K.OWN, K.GROUP)
            self.managed_by[party.key] = party.key if ours else party.company
            if not ours:
                org.group_company = self.orgs[party.company]
            self.orgs[party.key] = organisation_save(user=None, organisation=org, tags=party.tags)
            self._count("organisations")

    def relationships(self) -> None:
        for client, provider, rel_type, service, approved, start, end in RELATIONSHIPS:
            relationship_save(
                user=None,
                relationship=Relationship(
                    client=self.orgs[client],
                    provider=self.orgs[provider],
                    type=rel_type,
                    service=service,
                    redelegation_approved=approved,
                    start_date=start,
                    end_date=end,
                    group_company=self.orgs[self.managed_by[client]],
                ),
            )
            self._count("relationships")

    def information(self) -> None:
        for key, company, name, classification, personal, sensitive, records, persons, dept, desc in ASSETS:
            self.assets[key] = asset_save(
                user=None,
                asset=InformationAsset(
                    group_company=self.orgs[company],
                    name=name,
                    classification=classification,
                    has_personal_info=personal,
                    has_sensitive_personal_info=sensitive,
                    record_count=records,
                    person_count=persons,
                    owning_department=dept,
                    description=desc,
                ),
            )
            self._count("assets")
        for asset, holder, sender, records, purpose, since, retention, return_due in HOLDINGS:
            holding_save(
                user=None,
                holding=DataHolding(
                    asset=self.assets[asset],
                    holder=self.orgs[holder],
                    received_from=self.orgs[sender],
                    record_count=records,
                    purpose=purpose,
                    since=since,
                    retention=retention,
                    return_due=return_due,
                ),
            )
            self._count("holdings")
        for key, system, level, accounts, notes in ACCESS:
            system_access_save(
                user=None,
                access=SystemAccess(
                    organisation=self.orgs[key], system=system, level=level, account_count=accounts, notes=notes
                ),
            )
            self._count("system_access")

    def contacts_and_certifications(self) -> None:
        parties = {p.key: p for p in OURS + PARTIES}
        for line, (key, role, name, local, verified_days_ago) in enumerate(CONTACTS, start=1):
            contact_save(
                user=None,
                contact=Contact(
                    organisation=self.orgs[key],
                    name=name,
                    role=role,
                    email=f"{local}@{parties[key].domain}",
                    # 03-0000-xxxx: a local number never starts with 0 (the trunk prefix), so it reaches no one.
                    phone=f"03-0000-{1000 + line}",
                    verified_on=None if verified_days_ago is None else self.today - dt.timedelta(verified_days_ago),
                ),
            )
            self._count("contacts")
        for key, scheme, other, cert_number, issuer, start, until in CERTIFICATIONS:
            certification_save(
                user=None,
                certification=Certification(
                    organisation=self.orgs[key],
                    scheme=scheme,
                    scheme_other=other,
                    number=cert_number,
                    issuer=issuer,
                    valid_from=self.today + dt.timedelta(start),
                    valid_until=None if until is None else self.today + dt.timedelta(until),
                ),
            )
            self._count("certifications")

    def users(self) -> tuple[str, ...]:
        """Create the demo users; returns the usernames that already existed and were left alone."""
        skipped: list[str] = []
        for login in DEMO_LOGINS:
            # Never reset an existing account to a published password.
            if User.objects.filter(username=login.username).exists():
                skipped.append(login.username)
                continue
            last, first, last_reading, first_reading = DEMO_USER_NAMES[login.username]
            user = User.objects.create_user(
                username=login.username,
                password=login.password,
                email=f"{login.username}@minato-sogo.example.jp",
                first_name=first,
                last_name=last,
                family_name_reading=last_reading,
                given_name_reading=first_reading,
                role=login.role,
                language="ja",
            )
            if login.limited_to:
                user.group_companies.set([o for o in self.orgs.values() if o.name in login.limited_to])
            self._count("users")
        return tuple(skipped)


def load_demo_data() -> DemoSummary:
    """Create the demo group with its chain, assets, contacts, certifications and demo users.

    Idempotent: if an own company is already registered, nothing is written and `created` is False.
    Everything is written in one transaction and audited as "command: load_demo".
    """
    existing = own_company()
    if existing is not None:
        return DemoSummary(created=False, own_company=existing.name, logins=DEMO_LOGINS)
    loader = _Loader(today=timezone.localdate())
    with audit_context(actor=None, via=AUDIT_VIA), transaction.atomic():
        loader.organisations()
        loader.relationships()
        loader.information()
        loader.contacts_and_certifications()
        skipped = loader.users()
        # Directly, not through the worker, so the first page already shows tiers.
        tiers_changed = tiers_recompute()
        # Software supply chain (issue 4): the vendors' products, SBOMs and findings.
        loader.counts.update(load_software_demo(orgs=loader.orgs, today=loader.today))
        # Incident response (issue 5): roles, public bodies, playbooks, reply templates, a past drill.
        loader.counts.update(load_response_demo(orgs=loader.orgs, today=loader.today))
        # Leak attribution (issue 11): two shipments of the member list and a leaked sample reported.
        loader.counts.update(load_leak_demo(orgs=loader.orgs, assets=loader.assets, today=loader.today))
        # Assessments (issue 3): campaigns in every state, self-assessments, follow-up items.
        with muted():
            assessments = load_assessment_demo(orgs=loader.orgs, today=loader.today)
        loader.counts.update(assessments.counts)
    return DemoSummary(
        created=True,
        own_company=OWN_COMPANY_NAME,
        counts=loader.counts,
        tiers_changed=tiers_changed,
        logins=DEMO_LOGINS,
        skipped_users=skipped,
        portal_links=tuple(assessments.portal_links),
    )
