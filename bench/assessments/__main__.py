"""Benchmarks of the assessments app (issue 3 §8).

Run from the project root::

    .venv/bin/python -m bench.assessments                      # all three, on a fresh SQLite database
    .venv/bin/python -m bench.assessments --only launch,portal
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/renkei_bench .venv/bin/python -m bench.assessments

- launch: launching a campaign to 2,000 parties in the worker (`campaign_services.campaign_launch_run`): an
  assignment per party (a quarter of them reassessments that carry last cycle's 51 answers), a
  hashed portal link and a bilingual invitation e-mail each (to the in-memory mail backend).
  Target ≤ 30 s.
- portal: the portal page of a 300-question assessment with every question answered (and some
  evidence and comments), rendered through the full middleware stack by Django's test client:
  median server time of repeated requests, target ≤ 200 ms; and its query count next to that of a
  30-question assessment (must be equal).
- excel: importing a 1,000-question Excel check sheet as a framework (`bench.assessments.excel_import`).
  Target ≤ 2 s.

Prints human-readable figures, then, as the last line, one JSON object with them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

TARGETS = {"launch_s": 30.0, "portal_ms": 200.0, "excel_s": 2.0}
PARTIES = 2_000
REASSESSED = 500
PORTAL_QUESTIONS = 300
SMALL_QUESTIONS = 30


def setup_django() -> None:
    """A fresh data directory (SQLite unless DATABASE_URL is set), migrated, mail kept in memory."""
    os.environ.setdefault("RENKEI_DATA_DIR", tempfile.mkdtemp(prefix="renkei-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    os.environ["RENKEI_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        # A clean schema so every run measures the same thing.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def _own_company() -> Any:
    from renkei.registry.models import Organisation, OrganisationKind

    own = Organisation.objects.filter(kind=OrganisationKind.OWN).first()
    if own is None:
        own = Organisation.objects.create(name="ベンチ本社株式会社", kind=OrganisationKind.OWN)
        own.group_company = own
        own.save(update_fields=["group_company"])
    return own


def bench_launch() -> dict[str, Any]:
    from django.core import mail
    from django.utils import timezone

    from renkei.accounts.models import PortalLink
    from renkei.assessments.campaigns import services as campaign_services
    from renkei.assessments.models import Answer, Assignment, AssignmentStatus, Campaign, Framework
    from renkei.registry.models import Contact, Organisation

    own = _own_company()
    framework = Framework.objects.get(key="renkei-supplier-baseline", is_active=True)
    parties = Organisation.objects.bulk_create(
        [Organisation(name=f"ベンチ取引先{i:04}株式会社", kind="contractor", group_company=own) for i in range(PARTIES)]
    )
    parties = list(Organisation.objects.filter(name__startswith="ベンチ取引先").order_by("pk"))
    Contact.objects.bulk_create(
        [Contact(organisation=p, group_company=own, name=f"担当{p.pk}", role="security", email=f"sec{p.pk}@bench.example.jp") for p in parties]
    )
    # A quarter of the parties were assessed last year: their answers are carried over.
    questions = list(framework.questions.order_by("order"))
    last_year = Assignment.objects.bulk_create(
        [
            Assignment(group_company=own, organisation=p, framework=framework, due_date=timezone.localdate(),
                       status=AssignmentStatus.ACCEPTED, accepted_at=timezone.now())
            for p in parties[:REASSESSED]
        ]
    )
    last_year = list(Assignment.objects.filter(status=AssignmentStatus.ACCEPTED).order_by("pk"))
    Answer.objects.bulk_create(
        [Answer(assignment=a, question=q, value="yes", version=1) for a in last_year for q in questions], batch_size=2000
    )
    campaign = campaign_services.campaign_save(
        user=None,
        campaign=Campaign(name="ベンチ", framework=framework, group_company=own,
                          due_date=timezone.localdate() + datetime.timedelta(days=30), message="ご回答ください。"),
    )
    campaign_services.campaign_set_parties(user=None, campaign=campaign, organisations=parties)
    mail.outbox = []
    t = time.perf_counter()
    campaign_services.campaign_launch(user=None, campaign=campaign)
    launch_request_s = time.perf_counter() - t
    t = time.perf_counter()
    done = campaign_services.campaign_launch_run(campaign_id=campaign.pk)
    launch_s = time.perf_counter() - t
    carried = Answer.objects.filter(assignment__campaign=campaign, carried_over=True).count()
    result = {
        "parties": PARTIES,
        "reassessed_parties": REASSESSED,
        "launch_request_s": round(launch_request_s, 4),
        "launch_s": round(launch_s, 3),
        "assignments": done.assignments.count(),
        "portal_links": PortalLink.objects.filter(organisation__assignments__campaign=campaign).count(),
        "emails": len(mail.outbox),
        "carried_answers": carried,
        "status": done.status,
    }
    assert result["assignments"] == PARTIES and result["emails"] == PARTIES and result["portal_links"] == PARTIES, result
    assert carried == REASSESSED * len(questions)
    return result


def _framework_with(n: int, key: str) -> Any:
    from renkei.assessments.frameworks import loading as framework_loading
    from renkei.assessments.frameworks import services as framework_services
    from renkei.assessments.models import FrameworkOrigin

    per_section = 20
    sections = []
    for s in range(0, n, per_section):
        sections.append(
            {
                "id": f"S{s // per_section + 1:02}",
                "title": {"ja": f"分野{s // per_section + 1}", "en": f"Area {s // per_section + 1}"},
                "questions": [
                    {
                        "id": f"Q{i + 1:04}",
                        "text": {"ja": f"設問{i + 1}: 当社の情報を扱う端末の管理状況を定期的に確認していますか。",
                                 "en": f"Question {i + 1}: do you regularly check the devices that handle our information?"},
                        "type": ["yesno", "yesno", "yesno", "single", "text"][i % 5],
                        "levels": ["★3", "★4"] if i % 3 else ["★4"],
                        "evidence": {"ja": "管理台帳、点検記録", "en": "Register, inspection records"},
                        **({"choices": [{"value": "a", "label": {"ja": "全て", "en": "All"}, "score": 2},
                                        {"value": "b", "label": {"ja": "一部", "en": "Some"}, "score": 1},
                                        {"value": "c", "label": {"ja": "なし", "en": "None"}, "score": 0}]} if i % 5 == 3 else {}),
                    }
                    for i in range(s, min(n, s + per_section))
                ],
            }
        )
    document = {"schema": "renkei-framework/1", "key": key, "version": "1", "name": {"ja": key, "en": key},
                "scoring": "percent", "levels": ["★3", "★4"], "sections": sections}
    spec = framework_loading.spec_from_document(document, filename=f"{key}.yaml")
    framework, _changed = framework_services.framework_install(user=None, spec=spec, origin=FrameworkOrigin.UPLOADED)
    return framework


def _answered_assignment(n: int, key: str) -> tuple[Any, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from renkei.assessments.answering import services as answer_services
    from renkei.assessments.campaigns import services as campaign_services
    from renkei.registry.models import Organisation

    own = _own_company()
    framework = _framework_with(n, key)
    party = Organisation.objects.create(name=f"{key}株式会社", kind="contractor", group_company=own)
    (assignment,) = campaign_services.assignments_create(
        organisations=[party], framework=framework, due_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    respondent = answer_services.Respondent(name="ベンチ 太郎")
    values = {}
    for q in framework.questions.all():
        values[q.ref] = ({"yesno": "yes", "single": "a", "text": "規程に基づき年1回確認しています。"}[q.answer_type], "補足のコメント")
    answer_services.answers_save_many(respondent=respondent, assignment=assignment, values=values)
    for q in framework.questions.order_by("order")[:: max(1, n // 30)]:
        answer_services.evidence_add(respondent=respondent, assignment=assignment, question_id=q.pk,
                                     upload=SimpleUploadedFile("記録.pdf", b"%PDF-1.4 bench"))
        answer_services.comment_add(respondent=respondent, assignment=assignment, question_id=q.pk, body="ご確認ください。")
    return party, assignment


def bench_portal(repeat: int = 30) -> dict[str, Any]:
    from django.core import signals
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from renkei.accounts.services import portal_link_issue
    from renkei.assessments.portal.access import NAME_SESSION_KEY

    # Keep the database connection between requests, as production does on PostgreSQL
    # (CONN_MAX_AGE): the figure is the page's own work, and the queries can be counted.
    signals.request_finished.disconnect(close_old_connections)

    def measure(n: int, key: str) -> tuple[float, int, int]:
        party, assignment = _answered_assignment(n, key)
        _link, raw = portal_link_issue(user=None, organisation=party, expires_at=timezone.now() + datetime.timedelta(days=30))
        client = Client()
        client.get(reverse("portal:enter", args=[raw]))
        session = client.session
        session[NAME_SESSION_KEY] = "ベンチ 太郎"
        session.save()
        url = reverse("portal:assignment", args=[assignment.pk])
        first = client.get(url)
        assert first.status_code == 200, first.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        # Counted now: the next request's `request_started` signal empties the query log.
        query_count = len(queries.captured_queries)
        times = []
        size = 0
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t)
            size = len(response.content)
        return statistics.median(times) * 1000, query_count, size

    ms, queries, size = measure(PORTAL_QUESTIONS, "bench-portal-300")
    small_ms, small_queries, _ = measure(SMALL_QUESTIONS, "bench-portal-30")
    return {
        "portal_questions": PORTAL_QUESTIONS,
        "portal_ms": round(ms, 1),
        "portal_queries": queries,
        "portal_html_kb": round(size / 1024, 1),
        "portal_small_questions": SMALL_QUESTIONS,
        "portal_small_ms": round(small_ms, 1),
        "portal_small_queries": small_queries,
        "portal_repeat": repeat,
    }


def bench_excel() -> dict[str, Any]:
    from bench.assessments import excel_import

    return excel_import.run()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.assessments", description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="launch,portal,excel", help="comma-separated: launch, portal, excel")
    args = ap.parse_args(argv)
    only = {p.strip() for p in args.only.split(",") if p.strip()}
    setup_django()
    from django.db import connection

    results: dict[str, Any] = {"database": connection.vendor}
    if "portal" in only:
        results.update(bench_portal())
        print(f"portal page, {results['portal_questions']} questions: {results['portal_ms']} ms median "
              f"({results['portal_queries']} queries, {results['portal_html_kb']} KB); "
              f"{results['portal_small_questions']} questions: {results['portal_small_ms']} ms ({results['portal_small_queries']} queries)")
    if "launch" in only:
        results.update(bench_launch())
        print(f"campaign launch to {results['parties']} parties: {results['launch_s']} s "
              f"({results['emails']} e-mails, {results['carried_answers']} answers carried over)")
    if "excel" in only:
        results.update({f"excel_{k}" if not k.startswith("excel") else k: v for k, v in bench_excel().items()})
        print(f"excel import: {results.get('excel_s')} s")
    met = []
    if "launch_s" in results:
        met.append(results["launch_s"] <= TARGETS["launch_s"])
    if "portal_ms" in results:
        met.append(results["portal_ms"] <= TARGETS["portal_ms"] and results["portal_queries"] == results["portal_small_queries"])
    if "excel_s" in results:
        met.append(results["excel_s"] <= TARGETS["excel_s"])
    results.update(
        targets_met=all(met),
        cpus=os.cpu_count(),
        python=platform.python_version(),
        date=datetime.date.today().isoformat(),
    )
    print(orjson.dumps(results).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
