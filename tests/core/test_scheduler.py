import datetime as dt

from django.utils import timezone

from renkei.core.scheduler import Job, claim, run_due_jobs

JOB = Job("test_job", "renkei.incidents.tasks.send_reminders", dt.timedelta(minutes=15))


def test_a_job_is_claimed_once_per_interval(db):
    now = timezone.now()
    assert claim(JOB, now=now)
    assert not claim(JOB, now=now + dt.timedelta(minutes=5))
    assert claim(JOB, now=now + dt.timedelta(minutes=16))


def test_due_jobs_are_queued(db):
    queued: list[str] = []
    assert run_due_jobs(jobs=(JOB,), enqueue=queued.append) == ["test_job"]
    assert queued == ["renkei.incidents.tasks.send_reminders"]
    assert run_due_jobs(jobs=(JOB,), enqueue=queued.append) == []
