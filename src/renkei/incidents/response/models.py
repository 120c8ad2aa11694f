"""Incident response (M12, M16, drills of M15): response roles, playbooks, incidents with their
tasks, timeline, inquiries, costs, attachments and notification plan.

`incident_attachment_path` is referenced by the migrations as `renkei.incidents.models.…`, which
re-exports it (the app's models.py imports every sub-package's models)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel, TimeStampedModel, Versioned
from renkei.core.search import SearchableModel

# ---------------------------------------------------------------------------------------------
# Organisation and playbooks (M16)


class RoleKind(models.TextChoices):
    CISO = "ciso", _("CISO")
    CSIRT = "csirt", _("CSIRT member")
    ESCALATION = "escalation", _("Escalation (superior)")
    FORENSICS = "forensics", _("Forensics")
    LAWYER = "lawyer", _("Lawyer")
    INSURER = "insurer", _("Insurer")
    PPC = "ppc", _("Personal Information Protection Commission")
    IPA = "ipa", _("IPA")
    JPCERT = "jpcert", _("JPCERT/CC")
    POLICE = "police", _("Police cyber desk")
    REGULATOR = "regulator", _("Sector regulator")
    OTHER = "other", _("Other")


PUBLIC_BODY_KINDS = (RoleKind.PPC, RoleKind.IPA, RoleKind.JPCERT, RoleKind.POLICE, RoleKind.REGULATOR)


class ResponseRole(ScopedModel):
    """A person or body with a part in incident response, internal or external."""

    kind = models.CharField(_("kind"), max_length=16, choices=RoleKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    escalation_level = models.PositiveIntegerField(
        _("escalation level"), default=0, help_text=_("Order in the internal escalation chain; 1 is told first.")
    )

    class Meta:
        ordering = ["kind", "escalation_level", "name"]
        verbose_name = _("response role")
        verbose_name_plural = _("response roles")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:role_update", args=[self.pk])

    @property
    def is_public_body(self) -> bool:
        return self.kind in PUBLIC_BODY_KINDS


class Playbook(ScopedModel):
    """A response-flow template: steps with tasks, owner roles and due hours relative to the start."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:playbook_detail", args=[self.pk])


class PlaybookStep(Versioned, TimeStampedModel):
    scope_lookup = "playbook__group_company"  # permissions.visible() scopes through the parent

    playbook = models.ForeignKey(Playbook, verbose_name=_("playbook"), on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["playbook", "order", "pk"]
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.playbook.get_absolute_url()


class DeadlineKey(models.TextChoices):
    """The legal deadlines of the APPI clock a task can follow (keys of `deadlines.clock_schedule`)."""

    PPC_PRELIMINARY = "ppc:preliminary", _("Preliminary report to the PPC (速報)")
    PPC_FINAL = "ppc:final", _("Final report to the PPC (確報)")
    INDIVIDUALS = "individuals", _("Notice to the persons (本人通知)")
    PRINCIPAL = "principal", _("Notice to the principal")


class PlaybookTask(Versioned, TimeStampedModel):
    scope_lookup = "step__playbook__group_company"  # permissions.visible() scopes through the parent

    step = models.ForeignKey(PlaybookStep, verbose_name=_("step"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=300)
    owner_kind = models.CharField(_("owner role"), max_length=16, choices=RoleKind.choices, default=RoleKind.CSIRT)
    due_hours = models.PositiveIntegerField(_("due after (hours)"), default=24)
    deadline_key = models.CharField(
        _("follows the legal deadline"),
        max_length=20,
        choices=DeadlineKey.choices,
        blank=True,
        help_text=_("The task's due date then follows the APPI clock instead of the hours above."),
    )

    class Meta:
        ordering = ["step", "due_hours", "pk"]
        verbose_name = _("playbook task")
        verbose_name_plural = _("playbook tasks")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.step.get_absolute_url()


# ---------------------------------------------------------------------------------------------
# Incidents (M12)


class IncidentSource(models.TextChoices):
    OWN_DETECTION = "own_detection", _("Our detection")
    PARTNER_REPORT = "partner_report", _("Partner report")
    OUTSIDE_TIP = "outside_tip", _("Outside tip")
    PUBLIC_REPORT = "public_report", _("Public report")


class IncidentCategory(models.TextChoices):
    LEAK = "leak", _("Data leak")
    RANSOMWARE = "ransomware", _("Ransomware")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
    BEC = "bec", _("Business e-mail compromise")
    TAMPERED_UPDATE = "tampered_update", _("Tampered software update")
    MALWARE = "malware", _("Malware")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    CONTAINED = "contained", _("Contained")
    RECOVERED = "recovered", _("Recovered")
    CLOSED = "closed", _("Closed")


class OurRole(models.TextChoices):
    DATA_OWNER = "data_owner", _("Data owner (we hold the data)")
    CONTRACTOR = "contractor", _("Contractor (we process for a principal)")


class Incident(ScopedModel, SearchableModel):
    """A security incident, or a drill (`is_drill`) that every count and the dashboard leave out."""

    search_sources = ("title", "description")

    title = models.CharField(_("title"), max_length=300)
    learned_at = models.DateTimeField(_("learned at"), help_text=_("When we learned of it; the legal clock starts here."))
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=IncidentSource.choices)
    category = models.CharField(_("category"), max_length=24, choices=IncidentCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    is_drill = models.BooleanField(_("drill"), default=False)
    parties = models.ManyToManyField(
        "registry.Organisation", verbose_name=_("parties involved"), blank=True, related_name="incidents"
    )
    our_role = models.CharField(_("our role"), max_length=12, choices=OurRole.choices, default=OurRole.DATA_OWNER)
    principal = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("principal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents_as_principal",
        help_text=_("Who entrusted us with the data, when we are the contractor."),
    )
    description = models.TextField(_("description"), blank=True)
    appi_sensitive = models.BooleanField(_("sensitive personal information (要配慮個人情報)"), null=True, blank=True)
    appi_financial_risk = models.BooleanField(_("risk of financial damage"), null=True, blank=True)
    appi_wrongful_purpose = models.BooleanField(_("suspected wrongful purpose"), null=True, blank=True)
    persons_estimate = models.PositiveIntegerField(
        _("persons affected (confirmed)"),
        null=True,
        blank=True,
        help_text=_("Persons, not records. Empty: not confirmed yet (the >1,000 question stays open)."),
    )
    appi_encrypted = models.BooleanField(
        _("protected by strong encryption"), default=False, help_text=_("Advanced measures such as strong encryption.")
    )
    appi_key_leaked = models.BooleanField(
        _("the decryption key leaked too"),
        null=True,
        blank=True,
        help_text=_("The encryption exemption applies only when the key is known not to have leaked."),
    )
    # Who brought the APPI decision to its current state (`deadlines.STATES`) and when.
    appi_decision = models.CharField(_("APPI decision"), max_length=16, blank=True, editable=False)
    appi_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("APPI decision by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    appi_decided_at = models.DateTimeField(_("APPI decision at"), null=True, blank=True, editable=False)
    prelim_start_days = models.PositiveIntegerField(
        _("preliminary report window starts (day)"),
        default=3,
        help_text=_("Day of the window's start, the day we learned of it being day 1; usually 3."),
    )
    after_action_note = models.TextField(_("after-action note"), blank=True)
    # What the PPC report and the notice to individuals say (報告・通知用の記載): written for outsiders,
    # apart from the internal description, so no draft copies internal notes or a reporter's words.
    report_summary = models.TextField(_("summary for the report"), blank=True)
    report_data_items = models.TextField(_("personal data items"), blank=True)
    report_cause = models.TextField(_("cause"), blank=True)
    report_secondary_damage = models.TextField(_("secondary damage"), blank=True)
    report_response_to_persons = models.TextField(_("response to the persons"), blank=True)
    report_publication = models.TextField(_("publication"), blank=True)
    report_prevention = models.TextField(_("measures to prevent recurrence"), blank=True)
    report_other = models.TextField(_("other matters for reference"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-learned_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["is_drill", "status"]), models.Index(fields=["learned_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.CLOSED


class IncidentAsset(Versioned, TimeStampedModel):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="assets")
    asset = models.ForeignKey(
        "registry.InformationAsset", verbose_name=_("information asset"), on_delete=models.PROTECT, related_name="+"
    )
    records = models.PositiveIntegerField(_("records"), null=True, blank=True)
    persons = models.PositiveIntegerField(_("persons"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["incident", "asset__name"]
        verbose_name = _("affected asset")
        verbose_name_plural = _("affected assets")
        constraints = [models.UniqueConstraint(fields=["incident", "asset"], name="incident_asset_unique")]

    def __str__(self) -> str:
        return str(self.asset)

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("Doing")
    DONE = "done", _("Done")


class IncidentTask(Versioned, TimeStampedModel):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="tasks")
    step_name = models.CharField(_("step"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    owner_kind = models.CharField(_("owner role"), max_length=16, choices=RoleKind.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField(
        _("due at"),
        null=True,
        blank=True,
        help_text=_("For a task that follows a legal deadline, empty hands the date back to the APPI clock."),
    )
    # The legal deadline this task follows (its due date is then set by the clock), and whether a
    # user changed that due date by hand (the clock then leaves it as edited).
    deadline_key = models.CharField(max_length=20, choices=DeadlineKey.choices, blank=True, editable=False)
    due_edited = models.BooleanField(default=False, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.TODO)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Set by the reminder task so that an owner is e-mailed once per overdue task, not every run.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["incident", "order", "due_at", "pk"]
        verbose_name = _("incident task")
        verbose_name_plural = _("incident tasks")
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_tasks", args=[self.incident_id])


class TimelineKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SYSTEM = "system", _("System")


class TimelineEntry(models.Model):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="timeline"
    )
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("via"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=TimelineKind.choices, default=TimelineKind.MANUAL)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["incident", "-at", "-pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()


class ReplyTemplate(ScopedModel):
    """A stock answer for customer inquiries (お問い合わせ対応)."""

    name = models.CharField(_("name"), max_length=200)
    body = models.TextField(_("body"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:reply_template_update", args=[self.pk])


class Inquiry(Versioned, TimeStampedModel):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="inquiries"
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=50, blank=True, help_text=_("Phone, e-mail, form, …"))
    requester = models.CharField(_("requester"), max_length=200, blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["incident", "-received_at", "-pk"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")

    def __str__(self) -> str:
        return self.question[:80]

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_inquiries", args=[self.incident_id])


class CostKind(models.TextChoices):
    COST = "cost", _("Cost")
    COMPENSATION_PAID = "compensation_paid", _("Compensation paid")
    COMPENSATION_CLAIMED = "compensation_claimed", _("Compensation claimed")


class CostEntry(Versioned, TimeStampedModel):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(_("kind"), max_length=24, choices=CostKind.choices, default=CostKind.COST)
    party = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("party"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    currency = models.CharField(_("currency"), max_length=3, default="JPY")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["incident", "-date", "-pk"]
        verbose_name = _("cost entry")
        verbose_name_plural = _("cost entries")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_costs", args=[self.incident_id])


def incident_attachment_path(instance: Attachment, filename: str) -> str:
    return f"incidents/{instance.incident_id}/{filename}"


class Attachment(TimeStampedModel):
    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the parent

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=incident_attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    # Evidence of what was received: the hash identifies the very file in a report or in court.
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["incident", "-created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()


class NotificationCategory(models.TextChoices):
    INTERNAL = "internal", _("Internal escalation")
    CSIRT = "csirt", _("CSIRT")
    CHAIN = "chain", _("Party in the chain")
    PRINCIPAL = "principal", _("Principal")
    GROUP_COMPANY = "group_company", _("Group company")
    PUBLIC_BODY = "public_body", _("Public body")
    INDIVIDUALS = "individuals", _("Affected individuals")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    NOT_NEEDED = "not_needed", _("Not needed")


class NotificationEntry(Versioned, TimeStampedModel):
    """One line of the notification plan: whom to tell, why, by when, and what was sent when.

    `generated_key` identifies entries made by the generator so that regenerating replaces only
    the untouched ones; `edited` is set as soon as a user changes or adds an entry.
    """

    scope_lookup = "incident__group_company"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="notifications"
    )
    category = models.CharField(_("category"), max_length=16, choices=NotificationCategory.choices)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.ForeignKey(
        ResponseRole, verbose_name=_("role"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(_("recipient"), max_length=300)
    reason = models.TextField(_("reason"), blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    what_sent = models.TextField(_("what was sent"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    generated_key = models.CharField(max_length=100, blank=True, editable=False)
    edited = models.BooleanField(default=False, editable=False)
    # Set by the reminder task so that a deadline is announced once, not on every run.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["incident", "order", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.recipient

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_notifications", args=[self.incident_id])
