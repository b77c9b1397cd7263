"""Provincial reviews and rankings, the national formal review, the national summary and the
distribution: review.queries for reads, review.services for changes, the pages' forms for input."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as drf
from rest_framework.response import Response

from applications.models import Call
from applications.queries import visible_application
from review import queries, services
from review.forms import FormalReviewForm, RankingForm

from .. import serializers as s
from ..schema import summary
from .base import PortalView, body, check_form, form_data


class ProvincialReviewList(PortalView):
    serializer_class = s.ProvincialReviewSerializer

    @extend_schema(summary=summary("省局审核意见", "Provincial reviews of an application"), tags=["review"],
                   responses=s.ProvincialReviewSerializer(many=True))
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        return Response(s.ProvincialReviewSerializer(queries.provincial_reviews(application), many=True).data)


class RankingList(PortalView):
    """The province's ranking of its recommendations, per call (the provincial workspace)."""

    portal_permission = "portal.provincial_workspace"
    serializer_class = s.RankingSectionSerializer

    @extend_schema(summary=summary("本省推荐排序（按批次）", "The province's rankings per call"), tags=["review"],
                   responses=s.RankingSectionSerializer(many=True))
    def get(self, request):
        sections = queries.ranked_recommendations(request.user)
        return Response(s.RankingSectionSerializer(sections, many=True).data)


class RankingUpdate(PortalView):
    portal_permission = "portal.provincial_workspace"
    serializer_class = s.RankingSectionSerializer

    @extend_schema(summary=summary("保存本省推荐排序", "Save the province's ranking in a call"),
                   request=s.RankingInputSerializer, responses=s.ApplicationSerializer(many=True), tags=["review"])
    def put(self, request, call_pk):
        call = get_object_or_404(Call, pk=call_pk)
        ranks = body(request).get("ranks") or {}
        form = RankingForm(queries.recommendations_to_rank(request.user, call),
                           form_data({f"rank_{k}": v for k, v in (ranks.items() if isinstance(ranks, dict) else [])},
                                     f"call{call.pk}"), prefix=f"call{call.pk}")
        check_form(form)
        apps = services.set_ranking(request.user, call, form.ranks)
        return Response(s.ApplicationSerializer(apps, many=True).data)


class FormalReviewView(PortalView):
    serializer_class = s.FormalReviewSerializer

    def get_application(self, pk):
        application = visible_application(self.request.user, pk)
        self.require("portal.review_nationally", application)
        return application

    @extend_schema(summary=summary("国家局材料审核清单（当前版本）", "The formal review checklist"),
                   responses=s.FormalReviewSerializer(allow_null=True), tags=["review"])
    def get(self, request, pk):
        review = queries.formal_review_of(self.get_application(pk))
        return Response(s.FormalReviewSerializer(review).data if review else None)

    @extend_schema(summary=summary("保存材料审核清单", "Save the formal review checklist"),
                   request=s.FormalReviewInputSerializer, responses=s.FormalReviewSerializer, tags=["review"])
    def put(self, request, pk):
        application = self.get_application(pk)
        data = body(request)
        checklist = data.get("checklist") if isinstance(data.get("checklist"), dict) else {}
        form = FormalReviewForm(form_data({**checklist, "notes": data.get("notes", "")}))
        check_form(form)
        review = services.save_formal_review(application, request.user, form.checklist, form.cleaned_data["notes"])
        return Response(s.FormalReviewSerializer(review).data)


class NationalSummary(PortalView):
    portal_permission = "portal.national_workspace"

    @extend_schema(summary=summary("国家局工作台统计：各状态与各省推荐情况", "National counts by state and province"),
                   responses=inline_serializer("NationalSummary", {
                       "states": drf.ListField(child=drf.DictField()), "provinces": drf.ListField(child=drf.DictField())}),
                   tags=["national"])
    def get(self, request):
        states = [{"state": v, "label": str(label), "count": n}
                  for v, label, n in queries.state_counts(queries.national_queue(request.user))]
        return Response({"states": states, "provinces": queries.province_counts(request.user)})


class Distribution(PortalView):
    portal_permission = "portal.national_workspace"

    @extend_schema(summary=summary("实验区全国分布情况（指南五（一）)", "National distribution (guide 5(1))"),
                   parameters=[OpenApiParameter("call", int, description="申报批次 id（默认最新）/ Call id")],
                   responses=inline_serializer("Distribution", {
                       "call": drf.IntegerField(allow_null=True), "regions": drf.ListField(child=drf.DictField()),
                       "approved": drf.IntegerField(), "in_review": drf.IntegerField(), "closed": drf.IntegerField(),
                       "total": drf.IntegerField(), "target": drf.IntegerField(), "target_left": drf.IntegerField(),
                       "provinces_with_zone": drf.IntegerField()}),
                   tags=["national"])
    def get(self, request):
        calls = queries.calls_newest_first()
        wanted = request.query_params.get("call", "")
        call = next((c for c in calls if wanted.isdigit() and c.pk == int(wanted)), None) or (calls[0] if calls else None)
        data = queries.distribution(request.user, call)
        regions = [{"label": str(r["label"]), "approved": r["approved"], "in_review": r["in_review"],
                    "closed": r["closed"], "total": r["total"],
                    "provinces": [{"province": row["province"].name, "code": row["province"].code,
                                   **{k: row[k] for k in ("approved", "in_review", "closed", "total")}}
                                  for row in r["rows"]]} for r in data["regions"]]
        return Response({**{k: v for k, v in data.items() if k != "regions"}, "regions": regions,
                         "call": call.pk if call else None})
