"""Every transition tells the next actor and the applicant (inbox + e-mail); e-mail through a real
Celery worker; deadline reminders three days ahead, never twice for the same deadline."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from django.utils.translation import override

from accounts.enums import Role
from applications.enums import ApplicationState as S
from applications.models import ProvinceDeadline
from notifications.models import Notification
from portal.celery import app
from review import tasks
from review.enums import AssignmentStatus
from review.models import ExpertAssignment
from review.reminders import send_deadline_reminders
from review.transitions import TRANSITIONS, perform
from tests.pipeline_support import OPINION, application_in, extra_for, satisfy


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_every_transition_notifies_applicant_and_next_actor(name, actors, applicant, provincial, national,
                                                            foreign_provincial, make_expert):
    transition = TRANSITIONS[name]
    application = application_in(sorted(transition.sources)[0], applicant, actors, make_expert)
    satisfy(application, name, national, make_expert)
    actor = actors[next(iter(transition.roles))]
    Notification.objects.all().delete()
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        perform(application, actor, name, OPINION, extra=extra_for(name))
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    expected = {applicant.username} - {actor.username}
    if Role.PROVINCIAL in transition.notify_roles:
        expected.add(provincial.username)
    if Role.NATIONAL in transition.notify_roles:
        expected.add(national.username)
    assert expected <= told
    assert actor.username not in told
    assert foreign_provincial.username not in told  # never another province's bureau
    with override("zh-hans"):  # notifications are written in Chinese whatever language is active
        label = str(transition.label)
    if actor != applicant:  # the applicant hears of every step it did not take itself (a 批复 also opens a zone)
        notes = list(Notification.objects.filter(recipient=applicant, subject__contains=label))
        assert len(notes) == 1 and notes[0].url == f"/applications/{application.pk}/"
    assert {m.to[0] for m in mail.outbox} == set(
        Notification.objects.values_list("recipient__email", flat=True))


@pytest.mark.django_db
def test_inbox_marks_read_and_redirects_to_the_application(client, applicant, provincial, actors, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    note = Notification.objects.get(recipient=provincial)
    client.force_login(provincial)
    response = client.post(f"/inbox/{note.pk}/read/")
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    client.force_login(applicant)
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 404  # someone else's message


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_notification_email_is_sent_by_a_real_worker(celery_worker, applicant, provincial, national, make_expert):
    actors = {Role.APPLICANT: applicant, Role.PROVINCIAL: provincial, Role.NATIONAL: national}
    mail.outbox.clear()
    application_in(S.SUBMITTED, applicant, actors, make_expert)  # autocommit: on_commit runs, task queued
    note = Notification.objects.get(recipient=provincial)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        note.refresh_from_db()
        if note.emailed_at:
            break
        time.sleep(0.2)
    assert note.emailed_at is not None
    sent = [m for m in mail.outbox if m.to == [provincial.email]]
    assert len(sent) == 1 and "报送省局" in sent[0].subject and "/applications/" in sent[0].body


@pytest.mark.django_db
def test_province_reminded_three_days_before_national_deadline_once(applicant, provincial, foreign_provincial,
                                                                     actors, make_expert):
    application = application_in(S.SUBMITTED, applicant, actors, make_expert)
    call = application.call
    now = timezone.now()
    Notification.objects.all().delete()
    call.national_deadline = now + timedelta(days=4)
    call.save()
    assert send_deadline_reminders(now)["provincial"] == 0
    call.national_deadline = now + timedelta(days=2, hours=23)
    call.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_deadline_reminders(now)["provincial"] == 1
    note = Notification.objects.get(recipient=provincial)
    assert "1 项申报待本局办理" in note.subject and note.url == "/province/"
    assert not Notification.objects.filter(recipient=foreign_provincial).exists()
    # Running again (beat runs every few hours) reminds nobody twice.
    assert send_deadline_reminders(now + timedelta(hours=6))["provincial"] == 0
    # A moved deadline is a new deadline.
    call.national_deadline = now + timedelta(days=2)
    call.save()
    assert send_deadline_reminders(now)["provincial"] == 1
    # After the deadline: no reminder.
    assert send_deadline_reminders(now + timedelta(days=5))["provincial"] == 0


@pytest.mark.django_db
def test_province_reminded_before_its_own_deadline(applicant, provincial, actors, make_expert):
    application = application_in(S.PROVINCIAL_REVIEW, applicant, actors, make_expert)
    now = timezone.now()
    ProvinceDeadline.objects.create(call=application.call, province=application.province,
                                    deadline=now + timedelta(days=1))
    Notification.objects.all().delete()
    assert send_deadline_reminders(now)["provincial"] == 1
    assert "本省申报截止时间" in Notification.objects.get(recipient=provincial).subject
    assert send_deadline_reminders(now)["provincial"] == 0


@pytest.mark.django_db
def test_experts_reminded_of_unsubmitted_assignments_once(applicant, national, actors, make_expert):
    application = application_in(S.EXPERT_REVIEW, applicant, actors, make_expert)
    now = timezone.now()
    late, done, far = make_expert(institution="甲大学"), make_expert(institution="乙大学"), make_expert(
        institution="丙大学")
    ExpertAssignment.objects.create(application=application, expert=late, deadline=now + timedelta(days=2))
    ExpertAssignment.objects.create(application=application, expert=done, deadline=now + timedelta(days=2),
                                    status=AssignmentStatus.SUBMITTED)
    ExpertAssignment.objects.create(application=application, expert=far, deadline=now + timedelta(days=10))
    Notification.objects.all().delete()
    assert send_deadline_reminders(now)["expert"] == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [late.pk]
    assert send_deadline_reminders(now)["expert"] == 0
    # The call's expert deadline applies when the assignment has none.
    application.call.expert_deadline = now + timedelta(days=1)
    application.call.save()
    ExpertAssignment.objects.filter(expert=far).update(deadline=None)
    assert send_deadline_reminders(now)["expert"] == 1


def test_beat_schedule_names_the_reminder_task():
    assert settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]["task"] == "review.tasks.send_deadline_reminders"
    assert tasks.send_deadline_reminders.name == "review.tasks.send_deadline_reminders"
    assert "review.tasks.send_deadline_reminders" in app.tasks


@pytest.mark.django_db
def test_mark_all_read_touches_only_own_messages(client, applicant, provincial, actors, make_expert):
    application_in(S.SUBMITTED, applicant, actors, make_expert)
    other = Notification.objects.create(recipient=applicant, subject="别人的消息")
    client.force_login(provincial)
    assert "全部标为已读" in client.get("/inbox/").content.decode()
    assert client.post("/inbox/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=provincial, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None
    assert client.get("/inbox/read-all/").status_code == 405
