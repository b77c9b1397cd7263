"""A province's ranking of its recommendations in one call (省内推荐排序).

Ranks are dense (1..n) per province and call. The province may reorder them until the national
office starts formal review of any of them (Application.national_review_started_at, written by the
start_national_review transition); after that later recommendations join at the end.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from applications.enums import ApplicationState
from applications.models import Application
from applications.queries import applications_for
from workflow.errors import Refused


class RankingError(Refused):
    """The ranking was refused; the message is for the user."""


def is_locked(province_id, call_id) -> bool:
    return Application.objects.filter(province_id=province_id, call_id=call_id,
                                      national_review_started_at__isnull=False).exists()


def locked_calls(province_id) -> set[int]:
    """The calls in which this province's ranking is locked."""
    return set(Application.objects.filter(province_id=province_id, national_review_started_at__isnull=False)
               .values_list("call_id", flat=True).distinct())


def ranked(province_id, call_id, exclude_pk=None):
    qs = Application.objects.filter(province_id=province_id, call_id=call_id, provincial_rank__isnull=False)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("provincial_rank", "pk")


def place(application, rank=None):
    """Give `application` its rank among its province's recommendations (called while recommending)."""
    others = list(ranked(application.province_id, application.call_id, exclude_pk=application.pk)
                  .only("pk", "provincial_rank"))
    if is_locked(application.province_id, application.call_id) or not rank or rank > len(others) + 1:
        application.provincial_rank = (others[-1].provincial_rank + 1) if others else 1
        return
    order = others[: rank - 1] + [application] + others[rank - 1:]
    for position, app in enumerate(order, start=1):
        if app is not application and app.provincial_rank != position:
            Application.objects.filter(pk=app.pk).update(provincial_rank=position)
    application.provincial_rank = rank


def set_ranking(user, call, ranks: dict[int, int]):
    """Reorder the user's province's recommendations in `call` by the given {application pk: rank}."""
    province_id = user.organisation.province_id
    if is_locked(province_id, call.pk):
        raise RankingError(_("国家局已开始审核本省推荐的申报,推荐排序已锁定。"))
    with transaction.atomic():
        apps = list(applications_for(user, Application.objects.all()).select_for_update(of=("self",))
                    .filter(call=call, state=ApplicationState.RECOMMENDED).order_by("provincial_rank", "pk"))
        if set(ranks) != {a.pk for a in apps}:
            raise RankingError(_("推荐名单已发生变化,请刷新页面后重新排序。"))
        values = list(ranks.values())
        if any(v is None or v < 1 for v in values):
            raise RankingError(_("排序须为正整数。"))
        if len(set(values)) != len(values):
            raise RankingError(_("排序不能重复。"))
        apps.sort(key=lambda a: ranks[a.pk])
        for position, app in enumerate(apps, start=1):
            if app.provincial_rank != position:
                Application.objects.filter(pk=app.pk).update(provincial_rank=position)
    return apps
