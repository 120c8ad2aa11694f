"""Models of the framework library (M4, M5): frameworks, their sections and questions.

Frameworks, sections and questions are reference data loaded from YAML (or an Excel check sheet);
a framework without a group company belongs to the whole group.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from renkei.core.models import TimeStampedModel


def pick(ja: str, en: str) -> str:
    """The text in the active language: English when asked for and written, else Japanese."""
    if (get_language() or "ja").startswith("en") and en:
        return en
    return ja or en


# ---------------------------------------------------------------------------------------------
# Framework library (M4, M5)


class ScoringMode(models.TextChoices):
    PERCENT = "percent", _("Percentage of the achievable score")
    POINTS = "points", _("Points")
    MATURITY = "maturity", _("Maturity (0–5)")


class FrameworkOrigin(models.TextChoices):
    BUILTIN = "builtin", _("Built in")
    UPLOADED = "uploaded", _("Uploaded (YAML)")
    EXCEL = "excel", _("Imported from Excel")


class Framework(TimeStampedModel):
    """A questionnaire: sections of questions with a stable key and version."""

    # Built-in frameworks (and those an unrestricted user uploads) have no group company: every
    # group company may use them (see `permissions.visible`).
    scope_shared_when_null = True

    group_company = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("group company"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: available to the whole group."),
    )
    key = models.SlugField(_("key"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    source_ja = models.TextField(_("source (Japanese)"), blank=True)
    source_en = models.TextField(_("source (English)"), blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=FrameworkOrigin.choices)
    scoring = models.CharField(_("scoring"), max_length=10, choices=ScoringMode.choices, default=ScoringMode.PERCENT)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    # Cumulative levels (e.g. Lv1 < Lv2 < Lv3): a question of a lower level counts for every higher one.
    levels_cumulative = models.BooleanField(_("cumulative levels"), default=False)
    chart = models.CharField(_("chart"), max_length=16, blank=True)
    # The choices of yes/no questions and their points (see frameworks.DEFAULT_POINTS).
    answers = models.JSONField(default=list, blank=True)
    answer_points = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    question_count = models.PositiveIntegerField(_("questions"), default=0)
    is_active = models.BooleanField(
        _("available for new assessments"), default=True, help_text=_("Retired frameworks keep their past assessments.")
    )

    class Meta:
        ordering = ["origin", "key", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="framework_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:framework_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return pick(self.name_ja, self.name_en)

    @property
    def description(self) -> str:
        return pick(self.description_ja, self.description_en)

    @property
    def source(self) -> str:
        return pick(self.source_ja, self.source_en)


class Section(models.Model):
    scope_lookup = "framework__group_company"
    scope_shared_when_null = True

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    ref = models.CharField(_("ID"), max_length=50)
    order = models.PositiveIntegerField(default=0)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="section_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def title(self) -> str:
        return pick(self.title_ja, self.title_en)


class AnswerType(models.TextChoices):
    YESNO = "yesno", _("Yes / partly / no")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    FILE = "file", _("File")
    MATURITY = "maturity", _("Maturity (0–5)")


class Question(models.Model):
    scope_lookup = "framework__group_company"
    scope_shared_when_null = True

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    ref = models.CharField(_("ID"), max_length=50)
    order = models.PositiveIntegerField(default=0)
    text_ja = models.TextField(_("question (Japanese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices)
    # [{"value": "a", "ja": "…", "en": "…", "score": 2 | null}] for single, multiple and maturity.
    choices = models.JSONField(default=list, blank=True)
    weight = models.FloatField(_("weight"), default=1.0)
    levels = models.JSONField(_("levels"), default=list, blank=True)
    mappings = models.JSONField(_("mappings"), default=dict, blank=True)
    evidence_ja = models.TextField(_("typical evidence (Japanese)"), blank=True)
    evidence_en = models.TextField(_("typical evidence (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = pgettext_lazy("questionnaire", "question")
        verbose_name_plural = _("questions")
        constraints = [models.UniqueConstraint(fields=["framework", "ref"], name="question_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:60]}"

    @property
    def text(self) -> str:
        return pick(self.text_ja, self.text_en)

    @property
    def evidence_hint(self) -> str:
        return pick(self.evidence_ja, self.evidence_en)
