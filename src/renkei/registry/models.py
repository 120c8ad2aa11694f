"""Registry (M1) and exposure (M2): organisations, relationships, contacts, certifications,
information assets, data holdings and system access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from renkei.core.display import show_date
from renkei.core.masking import party_name
from renkei.core.models import ScopedModel
from renkei.core.search import SearchableModel
from renkei.core.text import company_name_key, company_sort_key
from renkei.registry.validators import validate_corporate_number, validate_domains


class OrganisationKind(models.TextChoices):
    OWN = "own", _("Own company")
    GROUP = "group", _("Group company / affiliate")
    PARTNER = "partner", _("Trading partner")
    CONTRACTOR = "contractor", _("Contractor")
    VENDOR = "vendor", _("Software vendor")
    MSP = "msp", _("MSP")
    CLOUD = "cloud", _("Cloud service")
    OTHER = "other", _("Other")


OUR_KINDS = (OrganisationKind.OWN, OrganisationKind.GROUP)


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    OFFBOARDED = "offboarded", _("Offboarded")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organisation(ScopedModel, SearchableModel):
    """A party around us, or one of our own group companies."""

    # Notes are not part of the key: a party picker searching 「あおぞらクラウド」 must not offer every
    # party whose notes mention it. The organisation list searches notes separately.
    search_sources = ("name", "name_reading", "corporate_number", "web_domains")

    # The interface core.tenancy relies on (settings.RENKEI_GROUP_COMPANY_MODEL names this model).
    OWN_KINDS = OUR_KINDS

    # Our own companies belong to themselves; the FK is filled right after the first save.
    group_company = models.ForeignKey(  # type: ignore[assignment]
        "self",
        verbose_name=_("group company"),
        on_delete=models.PROTECT,
        related_name="scoped_organisations",
        null=True,
        blank=True,
        help_text=_("Which of our group companies manages this party."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_reading = models.CharField(_("reading or English name"), max_length=200, blank=True)
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("法人番号: 13 digits."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, default="JP", help_text=_("ISO 3166 code, e.g. JP."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    web_domains = models.CharField(
        _("web domains"), max_length=500, blank=True, validators=[validate_domains], help_text=_("Comma-separated.")
    )
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="organisations")
    notes = models.TextField(_("notes"), blank=True)
    # Derived: shortest distance from the own company, maintained by chain.services.tiers_recompute.
    tier = models.PositiveIntegerField(_("tier"), null=True, blank=True, editable=False, db_index=True)
    # Derived (core.text): the list order (reading, else name, without legal forms) and the key
    # duplicate detection compares (name without legal forms). Kept up to date in save().
    sort_key = models.CharField(_("sort key"), max_length=200, blank=True, default="", editable=False, db_index=True)
    name_key = models.CharField(_("name key"), max_length=200, blank=True, default="", editable=False, db_index=True)

    class Meta:
        # pk breaks ties, so pages neither repeat nor skip rows between equal keys.
        ordering = ["sort_key", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["corporate_number"],
                condition=~Q(corporate_number=""),
                name="organisation_unique_corporate_number",
                violation_error_message=_("This corporate number is already registered for another organisation."),
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="own"), name="organisation_single_own_company"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["criticality"])]

    def __str__(self) -> str:
        return self.name

    def text_keys(self) -> dict[str, str]:
        return {
            **super().text_keys(),
            "sort_key": company_sort_key(self.name, self.name_reading)[:200],
            "name_key": company_name_key(self.name)[:200],
        }

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", args=[self.pk])

    @classmethod
    def own(cls) -> Organisation | None:
        """The own company (at most one: a database constraint)."""
        return cls.objects.filter(kind=OrganisationKind.OWN).first()

    @classmethod
    def group_companies(cls) -> models.QuerySet[Organisation]:
        """The own company and the group companies."""
        return cls.objects.filter(kind__in=OUR_KINDS)

    @property
    def is_ours(self) -> bool:
        return self.kind in OUR_KINDS

    def clean(self) -> None:
        if self.country:
            self.country = self.country.upper()
        if self.group_company_id and self.group_company_id != self.pk:
            company = self.group_company
            if company is not None and company.kind not in OUR_KINDS:
                raise ValidationError({"group_company": gettext("Choose one of our own group companies.")})


class RelationshipType(models.TextChoices):
    PARENT_SUBSIDIARY = "parent_subsidiary", _("Parent / subsidiary")
    SUPPLIES_GOODS = "supplies_goods", _("Supplies goods")
    CONTRACTS_WORK = "contracts_work", _("Contracts work (委託)")
    REDELEGATES_WORK = "redelegates_work", _("Re-delegates work (再委託)")
    PROVIDES_SOFTWARE = "provides_software", _("Provides software")
    PROVIDES_SERVICE = "provides_service", _("Provides cloud or managed service")
    BUSINESS_PARTNER = "business_partner", _("Business partner")


class Relationship(ScopedModel):
    """Directed: `client` (upstream, e.g. the principal) → `provider` (downstream, e.g. the contractor)."""

    client = models.ForeignKey(
        Organisation, verbose_name=_("client (upstream)"), on_delete=models.CASCADE, related_name="downstream_links"
    )
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider (downstream)"), on_delete=models.CASCADE, related_name="upstream_links"
    )
    type = models.CharField(_("type"), max_length=24, choices=RelationshipType.choices)
    service = models.CharField(_("service"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    redelegation_approved = models.BooleanField(_("re-delegation approved"), null=True, blank=True)

    class Meta:
        ordering = ["client__sort_key", "provider__sort_key"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.CheckConstraint(condition=~Q(client=F("provider")), name="relationship_not_to_itself"),
            models.UniqueConstraint(fields=["client", "provider", "type"], name="relationship_unique_type"),
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.provider} ({self.get_type_display()})"

    def label_for(self, user: Any) -> str:
        """`str(self)` as this user may read it: a party outside their scope is not named."""
        return f"{party_name(user, self.client)} → {party_name(user, self.provider)} ({self.get_type_display()})"

    def get_absolute_url(self) -> str:
        return reverse("registry:relationship_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.client_id and self.client_id == self.provider_id:
            errors["provider"] = gettext("A relationship must connect two different organisations.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = gettext("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class ContactRole(models.TextChoices):
    SECURITY = "security", _("Security contact")
    INCIDENT = "incident", _("Incident / escalation contact")
    BUSINESS = "business", _("Business owner")
    EXECUTIVE = "executive", _("Executive")


class Contact(ScopedModel, SearchableModel):
    scope_lookup = "group_company"
    search_sources = ("name", "name_reading", "email", "phone")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("Family name first, e.g. 佐藤 花子."))
    name_reading = models.CharField(_("reading"), max_length=100, blank=True, help_text=_("e.g. サトウ ハナコ"))
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    verified_on = models.DateField(
        _("channel verified on"), null=True, blank=True, help_text=_("Last out-of-band verification.")
    )

    class Meta:
        ordering = ["organisation__sort_key", "role", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("registry:contact_detail", args=[self.pk])


class CertificationScheme(models.TextChoices):
    ISMS = "iso27001", _("ISO/IEC 27001 (ISMS)")
    PMARK = "pmark", _("Privacy Mark (Pマーク)")
    ISMAP = "ismap", _("ISMAP")
    SOC2 = "soc2", _("SOC 2")
    SECURITY_ACTION_1 = "security_action_1", _("SECURITY ACTION ★")
    SECURITY_ACTION_2 = "security_action_2", _("SECURITY ACTION ★★")
    SCS3 = "scs3", _("SCS ★3")
    SCS4 = "scs4", _("SCS ★4")
    OTHER = "other", _("Other")


class CertificationState(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    UNKNOWN = "unknown", _("No expiry date")


def evidence_path(instance: Certification, filename: str) -> str:
    return f"certifications/{instance.organisation_id}/{filename}"


class Certification(ScopedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="certifications"
    )
    scheme = models.CharField(_("scheme"), max_length=24, choices=CertificationScheme.choices)
    scheme_other = models.CharField(_("scheme name (other)"), max_length=100, blank=True)
    number = models.CharField(_("number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)

    class Meta:
        ordering = ["organisation__sort_key", "scheme"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        label = self.scheme_other if self.scheme == CertificationScheme.OTHER and self.scheme_other else None
        return f"{label or self.get_scheme_display()} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("registry:certification_detail", args=[self.pk])

    def state(self, today: dt.date | None = None) -> str:
        """Valid, expiring within the warning window, expired, or unknown (no end date)."""
        if self.valid_until is None:
            return CertificationState.UNKNOWN
        today = today or timezone.localdate()
        if self.valid_until < today:
            return CertificationState.EXPIRED
        if self.valid_until <= today + dt.timedelta(days=settings.RENKEI_CERT_EXPIRY_WARNING_DAYS):
            return CertificationState.EXPIRING
        return CertificationState.VALID

    def state_label(self) -> str:
        return str(CertificationState(self.state()).label)

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": gettext("The end of validity is before its start.")})
        if self.scheme == CertificationScheme.OTHER and not self.scheme_other:
            raise ValidationError({"scheme_other": gettext("Name the scheme.")})


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    STRICT = "strict", _("Strictly confidential")


class InformationAsset(ScopedModel, SearchableModel):
    """Information of ours; `group_company` is the company that owns it."""

    search_sources = ("name", "owning_department", "description")

    name = models.CharField(_("name"), max_length=200)
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.INTERNAL
    )
    has_personal_info = models.BooleanField(_("contains personal information"), default=False)
    has_sensitive_personal_info = models.BooleanField(_("contains special-care personal information (要配慮)"), default=False)
    record_count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    person_count = models.PositiveIntegerField(_("persons"), null=True, blank=True)
    owning_department = models.CharField(_("owning department"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("information asset")
        verbose_name_plural = _("information assets")
        constraints = [models.UniqueConstraint(fields=["group_company", "name"], name="asset_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:asset_detail", args=[self.pk])

    def clean(self) -> None:
        if self.has_sensitive_personal_info and not self.has_personal_info:
            self.has_personal_info = True


class DataHolding(ScopedModel):
    """An asset of ours held by an organisation, received from another one along a relationship."""

    asset = models.ForeignKey(
        InformationAsset, verbose_name=_("information asset"), on_delete=models.CASCADE, related_name="holdings"
    )
    holder = models.ForeignKey(
        Organisation, verbose_name=_("held by"), on_delete=models.CASCADE, related_name="holdings"
    )
    received_from = models.ForeignKey(
        Organisation, verbose_name=_("received from"), on_delete=models.PROTECT, related_name="passed_holdings"
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    record_count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    retention = models.CharField(_("retention"), max_length=100, blank=True)
    return_due = models.DateField(_("return or erasure due"), null=True, blank=True)

    class Meta:
        ordering = ["asset__name", "holder__sort_key"]
        verbose_name = _("data holding")
        verbose_name_plural = _("data holdings")
        constraints = [
            models.UniqueConstraint(fields=["asset", "holder", "received_from"], name="holding_unique_flow"),
            models.CheckConstraint(condition=~Q(holder=F("received_from")), name="holding_not_from_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} @ {self.holder}"

    def get_absolute_url(self) -> str:
        return reverse("registry:holding_detail", args=[self.pk])

    def return_overdue_days(self, today: dt.date | None = None) -> int | None:
        """Days since the return or erasure date passed (today in Japan time); None when not overdue."""
        if self.return_due is None:
            return None
        days = ((today or timezone.localdate()) - self.return_due).days
        return days if days > 0 else None

    def return_flag(self) -> str:
        """「返却・消去期限切れ」 with the date and how many days overdue; empty when not overdue."""
        days = self.return_overdue_days()
        if days is None or self.return_due is None:
            return ""
        return gettext("Return or erasure overdue (due {date}, {days} days overdue)").format(
            date=show_date(self.return_due), days=days
        )


class AccessLevel(models.TextChoices):
    NONE = "none", _("None")
    PORTAL = "portal", _("Portal")
    VPN = "vpn", _("VPN")
    ADMIN = "admin", _("Administrative")


class SystemAccess(ScopedModel):
    """Which of our systems or networks a party can reach."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="system_access"
    )
    system = models.CharField(_("system or network"), max_length=200)
    level = models.CharField(_("access level"), max_length=8, choices=AccessLevel.choices)
    account_count = models.PositiveIntegerField(_("accounts"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["organisation__sort_key", "system"]
        verbose_name = _("system access")
        verbose_name_plural = _("system access")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.system} ({self.get_level_display()})"

    def get_absolute_url(self) -> str:
        return reverse("registry:access_detail", args=[self.pk])
