"""The user guide page (behind login, like every page but the portal and the public intake)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import TemplateView

from renkei.core.help.rendering import render_guide
from renkei.core.views.objects import RenkeiViewMixin


class HelpView(RenkeiViewMixin, TemplateView):
    template_name = "core/help.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        language = (get_language() or "ja").split("-")[0]
        html, contents = render_guide(language)
        # Safe: rendered without raw HTML and cleaned by nh3 (rendering.py).
        return {**super().get_context_data(**kwargs), "guide": mark_safe(html), "contents": contents}  # noqa: S308
