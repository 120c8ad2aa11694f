"""E-mails of the software supply chain, each in Japanese then English (`core.mail`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from renkei.core.mail import bilingual, bilingual_subject
from renkei.software.models import Finding, Release


def _path(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def _finding_line(finding: Finding) -> str:
    vulnerability = finding.vulnerability
    aliases = ", ".join(vulnerability.aliases[:3])
    return _("- {id} ({severity}{score}) in {component}{aliases}: {summary}").format(
        id=vulnerability.osv_id,
        severity=finding.get_severity_display(),
        score=f" {vulnerability.cvss_score:.1f}" if vulnerability.cvss_score is not None else "",
        component=str(finding.component),
        aliases=f" [{aliases}]" if aliases else "",
        summary=vulnerability.headline or "—",
    )


def send_new_findings(*, release: Release, findings: Sequence[Finding]) -> bool:
    """Tell the product's responsible analyst about new critical and high findings of a release.
    Returns whether a message was sent (no responsible analyst or no address: nothing to do)."""
    product = release.product
    user = product.responsible
    if user is None or not user.is_active or not user.email:
        return False
    supplier = product.supplier.name
    path = _path(release)

    def subject() -> str:
        return _("[Renkei] {count} new critical/high findings: {product} {version}").format(
            count=len(findings), product=product.name, version=release.version
        )

    def body() -> str:
        lines = [
            _("New critical or high vulnerabilities were found in software delivered by {supplier}.").format(
                supplier=supplier
            ),
            _("Product: {product}, release {version}").format(product=product.name, version=release.version),
            "",
            *[_finding_line(f) for f in findings],
            "",
            _("Triage them in Renkei: {path}").format(path=path) if path else "",
        ]
        return "\n".join(lines).strip()

    message = EmailMessage(
        subject=bilingual_subject(subject),
        body=bilingual(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.send()
    return True


def send_response_request(*, finding: Finding, recipients: list[str], requested_by: Any) -> None:
    """Ask the supplier's security contacts to respond to a finding in their delivery."""
    release = finding.release
    product = release.product
    vulnerability = finding.vulnerability
    sender_name = ""
    reply_to: list[str] = []
    if requested_by is not None and getattr(requested_by, "pk", None):
        sender_name = requested_by.get_full_name() or requested_by.get_username()
        if requested_by.email:
            reply_to = [requested_by.email]

    def subject() -> str:
        return _("Request for response: {id} in {product} {version}").format(
            id=vulnerability.osv_id, product=product.name, version=release.version
        )

    def body() -> str:
        aliases = ", ".join(vulnerability.aliases) or "—"
        lines = [
            _("To the security contact of {supplier},").format(supplier=product.supplier.name),
            "",
            _("A known vulnerability matches a component of software you delivered to us."),
            "",
            _("Product: {product}, release {version}").format(product=product.name, version=release.version),
            _("Component: {component}").format(component=str(finding.component)),
            _("Package URL: {purl}").format(purl=finding.component.purl or "—"),
            _("Vulnerability: {id} (aliases: {aliases})").format(id=vulnerability.osv_id, aliases=aliases),
            _("Severity: {severity}").format(severity=finding.get_severity_display()),
            _("Summary: {summary}").format(summary=vulnerability.headline or "—"),
            "",
            _(
                "Please tell us whether the product is affected and, if it is, when a fixed release "
                "will be available (or how to mitigate it until then)."
            ),
            _("Requested by: {name}").format(name=sender_name) if sender_name else "",
        ]
        return "\n".join(lines).strip()

    EmailMessage(
        subject=bilingual_subject(subject),
        body=bilingual(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        reply_to=reply_to or None,
    ).send()
