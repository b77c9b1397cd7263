"""Mark documents stale when their sources change. Staleness is only a flag: the content hash decides
whether a document is rendered again when someone next asks for it."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from applications.models import Application, ApplicationVersion, Evidence, FundingCommitment, LocalPolicy, PlanYear
from review.models import Approval, ProvincialReview, Score, ScoreItem
from zones.models import AcceptanceRound

from .services import mark_stale


def _application(sender, instance, **kwargs):
    mark_stale(application_id=instance.pk if sender is Application else instance.application_id)


for _model in (Application, ApplicationVersion, Evidence, FundingCommitment, LocalPolicy, PlanYear, ProvincialReview,
               Approval):
    post_save.connect(_application, sender=_model, dispatch_uid=f"documents-stale-{_model.__name__}")
for _model in (FundingCommitment, LocalPolicy, PlanYear, Evidence):
    post_delete.connect(_application, sender=_model, dispatch_uid=f"documents-stale-del-{_model.__name__}")


@receiver(post_save, sender=Score, dispatch_uid="documents-stale-score")
def _score(sender, instance, **kwargs):
    mark_stale(call_id=instance.assignment.application.call_id)


@receiver(post_save, sender=ScoreItem, dispatch_uid="documents-stale-score-item")
def _score_item(sender, instance, **kwargs):
    mark_stale(call_id=instance.score.assignment.application.call_id)


@receiver(m2m_changed, sender=ApplicationVersion.evidence.through, dispatch_uid="documents-stale-version-evidence")
def _version_evidence(sender, instance, **kwargs):
    if isinstance(instance, ApplicationVersion):
        mark_stale(application_id=instance.application_id)


@receiver(post_save, sender=AcceptanceRound, dispatch_uid="documents-stale-acceptance")
def _acceptance(sender, instance, **kwargs):
    mark_stale(application_id=instance.zone.application_id)
