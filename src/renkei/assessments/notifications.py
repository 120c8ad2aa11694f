"""E-mails of the assessments app, each in Japanese then English (`core.mail`).

Messages to a party carry a fresh portal link: links are stored hashed, so an earlier link cannot
be sent again. Each link opens the party's own assessments and follow-up items only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renkei.accounts.models import User
from renkei.accounts.services import PORTAL_LINK_MAX_DAYS, portal_link_issue
from renkei.assessments.models import Assignment, FollowUp, ReviewComment
from renkei.core.mail import bilingual, bilingual_subject, send_all
from renkei.core.permissions import Role
from renkei.registry.models import Certification, ContactRole, Organisation

__all__ = ["send_all"]

# Whom a party's messages go to, in order of preference.
CONTACT_PREFERENCE = (ContactRole.SECURITY, ContactRole.INCIDENT, ContactRole.BUSINESS, ContactRole.EXECUTIVE)
LINK_GRACE_DAYS = 60
MIN_LINK_DAYS = 30


def party_recipients(organisation: Organisation) -> list[str]:
    """The party's security contacts' addresses; failing those, the next role that has any.
    Uses the prefetched contacts when there are some (a campaign launch prefetches them)."""
    contacts = [c for c in organisation.contacts.all() if c.email]
    for role in CONTACT_PREFERENCE:
        emails = sorted({c.email for c in contacts if c.role == role})
        if emails:
            return emails
    return []


def portal_url(raw_token: str) -> str:
    return settings.RENKEI_BASE_URL + reverse("portal:enter", args=[raw_token])


def absolute(path: str) -> str:
    return settings.RENKEI_BASE_URL + path


def link_expiry(due_date: dt.date) -> dt.datetime:
    """Valid until well after the due date (late answers, changes after review), within the maximum."""
    now = timezone.now()
    due_end = timezone.make_aware(dt.datetime.combine(due_date + dt.timedelta(days=LINK_GRACE_DAYS), dt.time(23, 59)))
    wanted = max(due_end, now + dt.timedelta(days=MIN_LINK_DAYS))
    return min(wanted, now + dt.timedelta(days=PORTAL_LINK_MAX_DAYS - 1))


def _issue_link(*, organisation: Organisation, user: Any, due_date: dt.date, purpose: str, recipients: Sequence[str]) -> str:
    _link, raw = portal_link_issue(
        user=user,
        organisation=organisation,
        expires_at=link_expiry(due_date),
        purpose=purpose,
        sent_to=", ".join(recipients),
    )
    return portal_url(raw)


def _our_name(assignment: Assignment) -> str:
    return assignment.group_company.name


def _message(subject: Any, body: Any, to: Sequence[str], reply_to: Sequence[str] = ()) -> EmailMessage:
    return EmailMessage(
        subject=bilingual_subject(subject),
        body=bilingual(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to) or None,
    )


def _reply_to(user: Any) -> list[str]:
    email = str(getattr(user, "email", "") or "") if user is not None else ""
    return [email] if email else []


def invitation(*, assignment: Assignment, user: Any) -> EmailMessage | None:
    """The invitation to answer, with a new portal link; None when the party has no contact address
    (the analyst then issues a link from the assessment page and passes it on another way)."""
    organisation = assignment.organisation
    recipients = party_recipients(organisation)
    if not recipients:
        return None
    campaign = assignment.campaign
    url = _issue_link(
        organisation=organisation,
        user=user,
        due_date=assignment.due_date,
        purpose=campaign.name if campaign else assignment.framework.name_ja,
        recipients=recipients,
    )
    subject, body = _invitation_texts(assignment, url)
    return _message(subject, body, recipients, _reply_to(campaign.launched_by if campaign else user))


def _invitation_texts(assignment: Assignment, url: str) -> tuple[Callable[[], str], Callable[[], str]]:
    organisation = assignment.organisation
    campaign = assignment.campaign
    framework = assignment.framework

    def subject() -> str:
        return _("[{company}] Security questionnaire: {framework} (due {due})").format(
            company=_our_name(assignment), framework=framework.name, due=assignment.due_date.isoformat()
        )

    def body() -> str:
        lines = [
            _("To the security contact of {party},").format(party=organisation.name),
            "",
            _("{company} asks you to answer the security questionnaire “{framework}” by {due}.").format(
                company=_our_name(assignment), framework=framework.name, due=assignment.due_date.isoformat()
            ),
        ]
        if assignment.previous_id:
            lines.append(_("Your answers of the last cycle are filled in: confirm or change each of them."))
        if campaign and campaign.message:
            lines += ["", campaign.message]
        lines += [
            "",
            _("Open the questionnaire: {url}").format(url=url),
            "",
            _("Answers are saved as you type. You can attach evidence, and answer in Excel if you prefer."),
            _("This link is for your company only; please do not forward it outside your company."),
        ]
        return "\n".join(lines)

    return subject, body


# The preview's link has the real form but opens nothing: each party gets its own link at launch.
PREVIEW_TOKEN = "preview"  # noqa: S105 (not a secret: it opens nothing)


@dataclass(frozen=True)
class InvitationPreview:
    organisation: Organisation
    recipients: list[str]
    subject: str
    body: str
    link: str


def invitation_preview(*, campaign: Any, organisation: Organisation, previous: Assignment | None = None) -> InvitationPreview:
    """The invitation `campaign` will e-mail `organisation`, rendered exactly as it will be sent
    (Japanese, then English), without issuing a portal link or creating anything."""
    assignment = Assignment(
        group_company=campaign.group_company,
        campaign=campaign,
        organisation=organisation,
        framework=campaign.framework,
        due_date=campaign.due_date,
        previous=previous,
    )
    link = portal_url(PREVIEW_TOKEN)
    subject, body = _invitation_texts(assignment, link)
    return InvitationPreview(
        organisation=organisation,
        recipients=party_recipients(organisation),
        subject=bilingual_subject(subject),
        body=bilingual(body),
        link=link,
    )


def reminder(*, assignment: Assignment, overdue: bool) -> EmailMessage | None:
    """Before the due date, or when overdue; with a new portal link."""
    organisation = assignment.organisation
    recipients = party_recipients(organisation)
    if not recipients:
        return None
    url = _issue_link(
        organisation=organisation,
        user=None,
        due_date=assignment.due_date,
        purpose=_("reminder"),
        recipients=recipients,
    )
    framework = assignment.framework

    def subject() -> str:
        if overdue:
            return _("[{company}] Overdue: security questionnaire {framework}").format(
                company=_our_name(assignment), framework=framework.name
            )
        return _("[{company}] Reminder: security questionnaire {framework} due {due}").format(
            company=_our_name(assignment), framework=framework.name, due=assignment.due_date.isoformat()
        )

    def body() -> str:
        lead = (
            _("The security questionnaire “{framework}” was due on {due} and has not been submitted yet.")
            if overdue
            else _("This is a reminder that the security questionnaire “{framework}” is due on {due}.")
        )
        return "\n".join(
            [
                _("To the security contact of {party},").format(party=organisation.name),
                "",
                lead.format(framework=framework.name, due=assignment.due_date.isoformat()),
                "",
                _("Open the questionnaire: {url}").format(url=url),
            ]
        )

    return _message(subject, body, recipients)


def changes_requested(*, assignment: Assignment, user: Any, comments: Iterable[ReviewComment], note: str) -> EmailMessage | None:
    """The reviewer's change requests, with a new portal link."""
    organisation = assignment.organisation
    recipients = party_recipients(organisation)
    if not recipients:
        return None
    url = _issue_link(
        organisation=organisation,
        user=user,
        due_date=max(assignment.due_date, timezone.localdate()),
        purpose=_("changes requested"),
        recipients=recipients,
    )
    items = [(c.question.ref if c.question else "", c.body) for c in comments]

    def subject() -> str:
        return _("[{company}] Please revise your answers: {framework}").format(
            company=_our_name(assignment), framework=assignment.framework.name
        )

    def body() -> str:
        lines = [
            _("To the security contact of {party},").format(party=organisation.name),
            "",
            _("We reviewed your answers to “{framework}” and ask you to revise the following.").format(
                framework=assignment.framework.name
            ),
            "",
            *[f"- {ref}: {text}" if ref else f"- {text}" for ref, text in items],
        ]
        if note:
            lines += ["", note]
        lines += ["", _("Open the questionnaire: {url}").format(url=url)]
        return "\n".join(lines)

    return _message(subject, body, recipients, _reply_to(user))


def submitted(*, assignment: Assignment) -> EmailMessage | None:
    """Tell whoever launched the campaign (or created the assessment) that a party submitted."""
    campaign = assignment.campaign
    user = (campaign.launched_by or campaign.created_by) if campaign else None
    if user is None or not user.is_active or not user.email:
        return None
    url = absolute(assignment.get_absolute_url())

    def subject() -> str:
        return _("[Renkei] Submitted for review: {party} · {framework}").format(
            party=assignment.organisation.name, framework=assignment.framework.name
        )

    def body() -> str:
        return "\n".join(
            [
                _("{party} submitted its answers to “{framework}”.").format(
                    party=assignment.organisation.name, framework=assignment.framework.name
                ),
                _("Review them in Renkei: {url}").format(url=url),
            ]
        )

    return _message(subject, body, [user.email])


def follow_up_reminder(*, follow_up: FollowUp, overdue: bool) -> EmailMessage | None:
    """To the party (with a portal link) or to our responsible person, by the item's owner."""
    party_side = follow_up.owner == "party"
    if party_side:
        recipients = party_recipients(follow_up.organisation)
        if not recipients:
            return None
        where = _issue_link(
            organisation=follow_up.organisation,
            user=None,
            due_date=max(follow_up.due_date, timezone.localdate()),
            purpose=_("follow-up reminder"),
            recipients=recipients,
        )
    else:
        owner = follow_up.owner_user
        if owner is None or not owner.is_active or not owner.email:
            return None
        recipients = [owner.email]
        where = absolute(follow_up.get_absolute_url())

    def subject() -> str:
        template = _("[Renkei] Overdue follow-up: {title}") if overdue else _("[Renkei] Follow-up due {due}: {title}")
        return template.format(title=follow_up.title, due=follow_up.due_date.isoformat())

    def body() -> str:
        lines = [
            _("Party: {party}").format(party=follow_up.organisation.name),
            _("Item: {title}").format(title=follow_up.title),
            _("Due: {due}").format(due=follow_up.due_date.isoformat()),
            _("Status: {status}").format(status=follow_up.get_status_display()),
        ]
        if follow_up.description:
            lines += ["", follow_up.description]
        lines += ["", _("Reply or report progress here: {url}").format(url=where)]
        return "\n".join(lines)

    return _message(subject, body, recipients)


def certification_reminder(*, certification: Certification, days_left: int, recipients: Sequence[str]) -> EmailMessage:
    """One of our own companies' certifications expires soon (or has expired)."""
    name = str(certification)
    until = certification.valid_until.isoformat() if certification.valid_until else "—"
    url = absolute(certification.get_absolute_url())

    def subject() -> str:
        if days_left <= 0:
            return _("[Renkei] Certification expired: {name}").format(name=name)
        return _("[Renkei] Certification expires in {days} days: {name}").format(name=name, days=days_left)

    def body() -> str:
        return "\n".join(
            [
                _("Certification: {name}").format(name=name),
                _("Valid until: {date}").format(date=until),
                _("Renew it and record the new validity in Renkei: {url}").format(url=url),
            ]
        )

    return _message(subject, body, recipients)


def staff_recipients(company_id: int) -> list[str]:
    """Administrators and analysts who may see the company's records (whole-group users included)."""
    users = User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.ANALYST]).exclude(email="").prefetch_related(
        "group_companies"
    )
    emails = set()
    for user in users:
        companies = {c.pk for c in user.group_companies.all()}
        if not companies or company_id in companies:
            emails.add(user.email)
    return sorted(emails)
