"""Factories and small frameworks for the assessments tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Assignment, Framework, FrameworkOrigin
from tests import factories as f

SMALL_FRAMEWORK = """
schema: renkei-framework/1
key: test-small
version: "1"
name: {ja: 小さな確認, en: Small check}
scoring: percent
levels: ["★3", "★4"]
sections:
  - id: A
    title: {ja: 管理, en: Management}
    questions:
      - {id: A-1, text: {ja: 責任者を決めていますか, en: "Is someone responsible?"}, type: yesno, levels: ["★3", "★4"], weight: 2}
      - {id: A-2, text: {ja: 規程がありますか, en: "Is there a policy?"}, type: yesno, levels: ["★4"]}
  - id: B
    title: {ja: 技術, en: Technology}
    questions:
      - {id: B-1, text: {ja: 多要素認証を使っていますか, en: "Do you use MFA?"}, type: yesno, levels: ["★3", "★4"], evidence: {ja: 設定画面, en: Settings screen}}
      - {id: B-2, text: {ja: 端末の台数, en: Number of devices}, type: number, required: false}
      - id: B-3
        text: {ja: 暗号化の方式, en: Encryption}
        type: single
        choices:
          - {value: none, label: {ja: なし, en: None}, score: 0}
          - {value: partial, label: {ja: 一部, en: Partial}, score: 1}
          - {value: full, label: {ja: 全て, en: Full}, score: 2}
"""


def small_spec(version: str = "1", key: str = "test-small") -> frameworks.FrameworkSpec:
    text = SMALL_FRAMEWORK.replace('version: "1"', f'version: "{version}"').replace("key: test-small", f"key: {key}")
    return framework_loading.load_yaml(text.encode(), filename="small.yaml")


def small_framework(**kwargs: Any) -> Framework:
    framework, _changed = framework_services.framework_install(user=None, spec=small_spec(**kwargs), origin=FrameworkOrigin.UPLOADED)
    return framework


def party(**kwargs: Any) -> Any:
    org = f.OrganisationFactory(**kwargs)
    f.ContactFactory(organisation=org, email=f"security@{org.pk}.example.jp")
    return org


def assignment(organisation: Any = None, framework: Framework | None = None, days: int = 30) -> Assignment:
    organisation = organisation or party()
    framework = framework or small_framework()
    (created,) = campaign_services.assignments_create(
        organisations=[organisation], framework=framework, due_date=timezone.localdate() + dt.timedelta(days=days)
    )
    return created
