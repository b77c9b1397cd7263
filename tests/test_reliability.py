"""Reliability: a document still arrives when the worker rendering it dies.

Real `celery -A portal worker` subprocesses (prefork, one child) consume this run's queue on Redis
against this test's database. Two ways of dying are shown:

- the whole worker is SIGKILLed (a lost machine): the message was taken but never acknowledged
  (acks_late), so it stays in Redis's unacked set; a consumer's restore_visible (run when it
  starts, then every 100 s by default) puts it back on the queue once visibility_timeout has
  passed since it was taken;
- only the pool child is SIGKILLed: the parent sees WorkerLostError and, with
  reject_on_worker_lost, puts the message back at once (no visibility timeout involved).

Each test uses its own Redis key prefix (CELERY_BROKER_KEYPREFIX) so that the short visibility
timeout never restores another concurrent run's messages.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from io import BytesIO
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from pypdf import PdfReader

from documents import services
from documents.enums import DocumentKind as K
from documents.enums import DocumentStatus as St
from documents.tasks import render_document
from portal.celery import app as celery_app
from tests.factories import complete_application

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parent.parent
CELERY = str(Path(sys.executable).parent / "celery")
VISIBILITY_TIMEOUT = 5


def test_celery_settings_acknowledge_late_and_requeue_on_worker_loss():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == int(
        os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))

    assert render_document.acks_late and render_document.reject_on_worker_lost
    assert render_document.max_retries >= 3 and render_document.autoretry_for


def _reset_producer_pools():
    """Producers are pooled per app with the transport options they were made with; drop them so that
    the next task sent uses the options just set (what Celery itself does after a fork)."""
    kombu.pools.reset()  # closes the pools and empties kombu's registry, which would hand out a closed pool
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Broker:
    """This test's view of Redis: its own key prefix, the producer configured like the workers."""
    def __init__(self, visibility_timeout):
        self.prefix = f"reliability-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
        self.visibility_timeout = visibility_timeout
        self.queue = settings.CELERY_TASK_DEFAULT_QUEUE
        self.redis = redis.Redis.from_url(settings.REDIS_URL)
        self.workers = []
        self.logs = []

    def configure_producer(self):
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_transport_options = {"visibility_timeout": self.visibility_timeout,
                                                    "global_keyprefix": self.prefix}
        _reset_producer_pools()

    def start_worker(self, name):
        db = settings.DATABASES["default"]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test",
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
               "REDIS_URL": settings.REDIS_URL, "CELERY_QUEUE": self.queue, "TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
               "CELERY_VISIBILITY_TIMEOUT": str(self.visibility_timeout), "CELERY_BROKER_KEYPREFIX": self.prefix}
        log = Path(settings.MEDIA_ROOT) / f"{name}-{uuid.uuid4().hex[:6]}.log"
        handle = log.open("w")
        process = subprocess.Popen(
            [CELERY, "-A", "portal", "worker", "-P", "prefork", "-c", "1", "-Q", self.queue, "-n", f"{name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(process)
        self.logs.append(log)
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        return process

    def log_text(self):
        return "\n".join(f"--- {log.name}\n{log.read_text()}" for log in self.logs)

    def unacked(self):
        return self.redis.hlen(self.prefix + "unacked")

    def close(self):
        for process in self.workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        keys = list(self.redis.scan_iter(match=self.prefix + "*"))
        if keys:
            self.redis.delete(*keys)
        celery_app.conf.task_always_eager = True
        celery_app.conf.broker_transport_options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        _reset_producer_pools()


@pytest.fixture
def broker_factory():
    made = []

    def make(visibility_timeout):
        broker = Broker(visibility_timeout)
        broker.configure_producer()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        broker.close()


@pytest.fixture
def long_application(applicant):
    """A draft whose 承诺书 runs to many pages, so that rendering takes long enough to be interrupted."""
    app = complete_application(applicant)
    app.commitment_measures = "\n".join(
        f"第{i}条 实验区所在地人民政府设立专利导航产业发展专项资金,建立专利导航分析成果在产业规划、招商引资和"
        f"项目审批中的运用机制,支持企业开展专利布局和运营。" for i in range(1, 1201))
    app.save(update_fields=["commitment_measures"])
    return app


def _wait_for(document, statuses, timeout, broker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in statuses:
            return document
        time.sleep(0.05)
    raise AssertionError(f"document {document.pk} still {document.status}\n{broker.log_text()}")


def _assert_delivered(document, app):
    assert document.status == St.READY and document.file
    with default_storage.open(document.file.name, "rb") as f:
        pdf = f.read()
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == document.page_count > 5
    text = "".join(page.extract_text() for page in reader.pages[:2]).replace("\n", "")
    assert app.applicant.name in text


def test_document_arrives_after_the_whole_worker_is_killed_mid_render(broker_factory, long_application, applicant):
    broker = broker_factory(VISIBILITY_TIMEOUT)
    first = broker.start_worker("doomed")
    document = services.request_document(K.DRAFT_COMMITMENT, application=long_application, user=applicant)
    _wait_for(document, {St.RENDERING}, 60, broker)
    taken_at = time.monotonic()
    os.killpg(first.pid, signal.SIGKILL)  # the parent and its pool child: nothing gets to clean up
    first.wait(timeout=30)

    document.refresh_from_db()
    assert document.status == St.RENDERING and not document.file, "the kill must land in the middle of rendering"
    assert document.attempts == 1
    # Taken, never acknowledged: the message waits in Redis's unacked set, not on the queue.
    assert broker.unacked() == 1
    assert broker.redis.llen(broker.prefix + broker.queue) == 0

    # kombu scans the unacked set when a consumer starts and then every unacked_restore_interval ×
    # unacked_restore_throttle (10 × 10 s); let the visibility timeout pass so the new worker's first scan
    # finds the message old enough to restore.
    time.sleep(max(0.0, VISIBILITY_TIMEOUT + 1 - (time.monotonic() - taken_at)))
    broker.start_worker("rescuer")
    document = _wait_for(document, {St.READY, St.FAILED}, 90, broker)
    # Redelivered only after the visibility timeout, by the new worker's restore.
    assert time.monotonic() - taken_at >= VISIBILITY_TIMEOUT
    assert document.attempts == 2, broker.log_text()
    _assert_delivered(document, long_application)
    assert broker.unacked() == 0  # acknowledged once done


def test_document_arrives_after_the_pool_child_is_killed_mid_render(broker_factory, long_application, applicant):
    # An hour's visibility timeout: any redelivery within this test comes from reject_on_worker_lost.
    broker = broker_factory(3600)
    worker = broker.start_worker("survivor")
    document = services.request_document(K.DRAFT_COMMITMENT, application=long_application, user=applicant)
    _wait_for(document, {St.RENDERING}, 60, broker)
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert len(children) == 1, children
    os.kill(int(children[0]), signal.SIGKILL)

    document = _wait_for(document, {St.READY, St.FAILED}, 90, broker)
    assert document.attempts == 2, broker.log_text()
    assert "WorkerLostError" in broker.log_text()
    _assert_delivered(document, long_application)
    assert worker.poll() is None  # the same worker carried on
    assert broker.unacked() == 0
