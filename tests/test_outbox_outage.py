"""Nothing lost, nothing falsely failed: the broker or the worker goes away in the middle of the pipeline.

Each test starts its own `redis-server` on a free port (no persistence: a restart loses every message,
as a broker that crashed would) and points the portal at it. A real `celery -A portal worker` with an
embedded beat (-B) runs in its own process against this test's database; it publishes through the broker
like production (TEST_TASKS_INLINE=0) and writes its e-mail to files that the test counts.

- Redis stopped: national staff start the formal review and request a document. Both answer success
  and commit; nothing is published; /healthz says 503 naming Redis and shows the outbox backlog. Redis
  comes back empty; with no action by anyone the beat's sweep publishes what was left, the e-mail is
  delivered once and the document is rendered once and can be downloaded.
- The worker stopped (Redis up): the same two actions publish at once; the messages wait in Redis; the
  worker started later delivers and renders each exactly once.
"""

import email
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from applications.enums import ApplicationState as S
from documents.enums import DocumentKind as K
from documents.enums import DocumentStatus as St
from documents.models import Document
from notifications.models import Notification
from outbox import relay
from outbox.models import Intent
from portal.celery import app as celery_app
from review.models import TransitionLog
from tests.pipeline_support import application_in

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message() if callable(message) else message)


class OwnRedis:
    """A redis-server of this test's own, on a free port, without persistence."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        _until(lambda: self._ping(client), 10, "redis-server did not start")

    @staticmethod
    def _ping(client):
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self):
        """Gone at once, like a crashed broker (everything it held is lost)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def queue_length(self, queue):
        return redis.Redis(port=self.port).llen(queue)


def _reset_producer_pools():
    """New connections for the broker just configured. kombu keeps producer pools in a registry keyed by
    connection; closing one pool while the registry still holds it would leave later tests a closed pool,
    so the registry is emptied too."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Pipeline:
    """The portal (this process) and one worker process, both on this test's own Redis."""

    def __init__(self, tmp_path):
        self.redis = OwnRedis()
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.queue = f"outage-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.worker = None
        self.log = tmp_path / "worker.log"
        self.beat_schedule = tmp_path / "beat-schedule"

    def point_portal_at_redis(self):
        self.saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
        celery_app.conf.broker_url = self.redis.url
        celery_app.conf.task_always_eager = False
        celery_app.conf.task_default_queue = self.queue
        _reset_producer_pools()
        relay.reset_broker_backoff()

    def start_worker(self):
        db = settings.DATABASES["default"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test",
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
               "REDIS_URL": self.redis.url, "CELERY_QUEUE": self.queue, "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
               "TEST_TASKS_INLINE": "0", "TEST_EMAIL_FILE_PATH": str(self.mail_dir), "OUTBOX_SWEEP_SECONDS": "1",
               "OUTBOX_BROKER_RETRY": "0.5"}
        handle = self.log.open("a")
        self.worker = subprocess.Popen(
            [CELERY, "-A", "portal", "worker", "-B", "-s", str(self.beat_schedule), "-P", "solo", "-Q", self.queue,
             "-n", f"outage-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        _until(lambda: "ready." in self.log.read_text() or self.worker.poll() is not None, 60, self.log_text)
        assert self.worker.poll() is None, self.log_text()

    def log_text(self):
        return self.log.read_text() if self.log.exists() else ""

    def mail(self):
        """Every message the worker sent: (recipient, subject)."""
        sent = []
        for path in sorted(self.mail_dir.iterdir()):
            for chunk in path.read_bytes().split(b"-" * 79):
                if chunk.strip():
                    message = email.message_from_bytes(chunk.strip())
                    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
                    sent.append((message["To"], subject))
        return sent

    def close(self):
        if self.worker and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait(timeout=30)
        self.redis.stop()
        for key, value in self.saved.items():
            celery_app.conf[key] = value
        _reset_producer_pools()
        relay.reset_broker_backoff()


@pytest.fixture
def pipeline(tmp_path):
    made = Pipeline(tmp_path)
    made.redis.start()
    made.point_portal_at_redis()
    yield made
    made.close()


@pytest.fixture
def recommended(applicant, provincial, national, make_expert):
    """Walked in-process before the portal is pointed at its own Redis (its notices are e-mailed inline)."""
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    return application_in(S.RECOMMENDED, applicant, actors, make_expert)


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _start_review_and_request_a_document(client, application, national):
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    client.force_login(national)
    response, seconds = _timed(lambda: client.post(
        reverse("review:transition", args=[application.pk]),
        {"transition": "start_national_review", "start_national_review-expected_state": application.state,
         "start_national_review-opinion": ""}))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert seconds < 5, f"the transition took {seconds:.1f} s"
    application.refresh_from_db()
    assert application.state == S.NATIONAL_REVIEW  # committed
    assert TransitionLog.objects.filter(application=application, transition="start_national_review").exists()
    response, seconds = _timed(lambda: client.post(
        reverse("documents:request", args=[application.pk, K.APPLICATION_FORM]), follow=True))
    assert response.status_code == 200 and seconds < 5
    document = Document.objects.get(application=application, kind=K.APPLICATION_FORM)
    assert document.status == St.QUEUED
    page = response.content.decode()
    assert "排队中" in page or "已提交生成请求" in page  # the page says it is queued
    notes = list(Notification.objects.filter(pk__gt=before, recipient__email__gt="").select_related("recipient"))
    assert notes, "the transition tells the applicant"
    return document, notes


def _intents_of(document, notes):
    email_intents = [i for i in Intent.objects.filter(task="notifications.tasks.email_notifications")
                     if set(i.args[0]) & {n.pk for n in notes}]
    render_intents = list(Intent.objects.filter(task="documents.tasks.render_document", args=[document.pk]))
    return email_intents, render_intents


def _wait_delivered(pipeline, document, notes, timeout=120):
    def done():
        document.refresh_from_db()
        emailed = all(Notification.objects.get(pk=n.pk).emailed_at for n in notes)
        return document.status in (St.READY, St.FAILED) and emailed
    _until(done, timeout, lambda: f"document {document.status}\n{pipeline.log_text()[-6000:]}")
    assert document.status == St.READY, document.error


def _assert_each_once(pipeline, document, notes, client, national):
    sent = pipeline.mail()
    for note in notes:
        assert sum(1 for to, subject in sent if to == note.recipient.email and subject == note.subject) == 1, sent
    assert document.attempts == 1  # rendered once
    email_intents, render_intents = _intents_of(document, notes)
    assert all(i.done_at and not i.failed for i in email_intents + render_intents)
    client.force_login(national)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_broker_down_mid_pipeline_loses_nothing_and_fails_nothing(recommended, pipeline, client, national, settings):
    settings.REDIS_URL = pipeline.redis.url
    settings.HEALTHZ_TOKEN = "monitoring-token"  # the details (Redis, the outbox) are for monitoring only
    pipeline.start_worker()
    pipeline.redis.stop()

    document, notes = _start_review_and_request_a_document(client, recommended, national)
    email_intents, render_intents = _intents_of(document, notes)
    assert len(email_intents) == 1 and len(render_intents) == 1
    # Written with the change; nothing published while the broker is down.
    assert all(i.publications == 0 and i.done_at is None for i in email_intents + render_intents)
    assert all(n.emailed_at is None for n in notes)

    client.logout()
    health = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {settings.HEALTHZ_TOKEN}")
    assert health.status_code == 503
    report = health.json()
    assert report["redis"]["ok"] is False and "Connection" in report["redis"]["error"]
    assert report["outbox"]["pending"] >= 2 and report["outbox"]["oldest_pending_seconds"] >= 0

    time.sleep(1.5)  # the worker and its beat notice the broker is gone
    document.refresh_from_db()
    assert document.status == St.QUEUED
    pipeline.redis.start()  # back, empty: whatever was not in the database is gone

    _wait_delivered(pipeline, document, notes)
    _assert_each_once(pipeline, document, notes, client, national)


def test_worker_down_mid_pipeline_loses_nothing_and_fails_nothing(recommended, pipeline, client, national):
    document, notes = _start_review_and_request_a_document(client, recommended, national)
    email_intents, render_intents = _intents_of(document, notes)
    # Published at commit; the messages wait in Redis for a worker.
    assert all(i.publications == 1 and i.done_at is None for i in email_intents + render_intents)
    assert pipeline.redis.queue_length(pipeline.queue) == 2
    time.sleep(1)
    document.refresh_from_db()
    assert document.status == St.QUEUED and all(Notification.objects.get(pk=n.pk).emailed_at is None for n in notes)

    pipeline.start_worker()
    _wait_delivered(pipeline, document, notes)
    _assert_each_once(pipeline, document, notes, client, national)
