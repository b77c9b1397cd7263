"""The outbox without a broker outage: intents commit or roll back with the change, duplicates do nothing,
the sweep publishes what is due (and only that), re-queues stuck documents, and /healthz shows a backlog.
Tasks run in-process here; tests/test_outbox_outage.py stops a real Redis and a real worker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from documents import services as documents
from documents.enums import DocumentKind as K
from documents.enums import DocumentStatus as St
from documents.models import Document
from notifications.models import Notification
from notifications.services import Message, notify
from notifications.tasks import email_notifications
from outbox import relay
from outbox.models import Intent
from outbox.services import enqueue
from tests.factories import submitted_application


@pytest.mark.django_db
def test_an_intent_rolls_back_with_the_change_that_caused_it(applicant):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([applicant], Message("主题", "正文"))
        assert Intent.objects.count() == 1
        raise RuntimeError("the caller's change fails")
    assert not Intent.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_an_intent_is_published_on_commit_and_marked_done_by_its_task(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([applicant], Message("主题", "正文"))
        intent = Intent.objects.get()
        assert intent.publications == 0 and not mail.outbox  # nothing leaves before the commit
    intent.refresh_from_db()
    assert intent.done_at is not None and not intent.failed and intent.publications == 1
    assert [m.to for m in mail.outbox] == [[applicant.email]]


@pytest.mark.django_db
def test_a_duplicate_message_of_a_done_intent_sends_nothing(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([applicant], Message("主题", "正文"))
    intent = Intent.objects.get()
    note = Notification.objects.get()
    # Even if the e-mail were not recorded on the notification, the done intent stops a second send.
    Notification.objects.update(emailed_at=None)
    email_notifications.apply(args=[[note.pk]], task_id=intent.key)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_publishes_what_is_due_and_leaves_what_is_in_flight(applicant):
    now = timezone.now()
    note = Notification.objects.create(recipient=applicant, subject="留下的", body="")
    left_behind = Intent.objects.create(task="notifications.tasks.email_notifications", args=[[note.pk]],
                                        publish_after=now - timedelta(minutes=5))
    in_flight = Intent.objects.create(task="notifications.tasks.email_notifications", args=[[note.pk]],
                                      publish_after=now + timedelta(minutes=5), publications=1)
    result = relay.sweep()
    assert result["published"] == 1
    left_behind.refresh_from_db()
    in_flight.refresh_from_db()
    assert left_behind.done_at is not None and left_behind.publications == 1
    assert in_flight.done_at is None and in_flight.publications == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_republication_waits_longer_each_time(applicant, settings):
    settings.OUTBOX_REPUBLISH_AFTER = 60
    intent = enqueue("notifications.tasks.email_notifications", [])
    Intent.objects.filter(pk=intent.pk).update(publications=3)
    intent.refresh_from_db()
    before = timezone.now()
    assert relay._next_publication(intent.publications) >= before + timedelta(seconds=60 * 8)


@pytest.mark.django_db
def test_the_sweep_requeues_a_document_whose_rendering_was_never_published(applicant, settings):
    settings.DOCUMENT_REQUEUE_AFTER = 600
    application = submitted_application(applicant)  # documents render the submitted version
    document = documents.request_document(K.COMMITMENT, application=application, user=applicant)
    # As if the rendering had never been recorded (a request from before the outbox, an intent lost).
    Intent.objects.all().delete()
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(seconds=601))
    fresh = Document.objects.create(kind=K.APPLICATION_FORM, application=application, content_hash="x")
    result = relay.sweep()
    assert result["repaired"] == 1
    document.refresh_from_db()
    assert document.status == St.READY and document.file and document.attempts == 1
    fresh.refresh_from_db()
    assert fresh.status == St.QUEUED  # not stuck yet: left alone


@pytest.mark.django_db
def test_a_document_whose_rendering_is_still_pending_is_not_queued_twice(applicant, settings):
    settings.DOCUMENT_REQUEUE_AFTER = 600
    application = submitted_application(applicant)  # documents render the submitted version
    document = documents.request_document(K.COMMITMENT, application=application, user=applicant)
    Document.objects.filter(pk=document.pk).update(status=St.RENDERING,
                                                   updated_at=timezone.now() - timedelta(hours=1))
    # Its intent is pending and not due (a worker died mid-render: the broker's visibility timeout
    # brings that message back; the sweep does not add another).
    Intent.objects.update(publications=1, publish_after=timezone.now() + timedelta(hours=1))
    assert documents.requeue_stuck() == 0
    assert Intent.objects.count() == 1


@pytest.mark.django_db
def test_healthz_reports_the_oldest_pending_intent(client, settings):
    settings.OUTBOX_ALERT_AFTER = 300
    settings.HEALTHZ_TOKEN = "monitoring-token"  # the details are for monitoring only
    monitor = {"HTTP_AUTHORIZATION": "Bearer monitoring-token"}
    intent = enqueue("notifications.tasks.email_notifications", [])
    Intent.objects.filter(pk=intent.pk).update(created_at=timezone.now() - timedelta(seconds=400),
                                               publish_after=timezone.now() + timedelta(hours=1))
    report = client.get("/healthz", **monitor).json()
    assert report["outbox"]["pending"] == 1
    assert 400 <= report["outbox"]["oldest_pending_seconds"] < 460
    assert report["outbox"]["ok"] is False
    Intent.objects.update(done_at=timezone.now())
    report = client.get("/healthz", **monitor).json()
    assert report["outbox"] == {**report["outbox"], "pending": 0, "ok": True}
