"""Expert review: the panel, assignments, aggregates and ranking for national staff; an expert's own
assignments, conflict declarations and scores. Blind as the pages: an expert reaches only their own
assignments (404 otherwise) and never another expert's name or score."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers as drf
from rest_framework.response import Response

from applications.models import Call
from applications.queries import visible_application
from review.experts import aggregation, queries, services
from review.experts.forms import AutoAssignForm, ManualAssignForm, PanelForm, ReasonForm, ScoreForm

from .. import serializers as s
from ..schema import summary
from .base import PortalView, body, check_form, form_data


def _aggregate(g, lines=False):
    out = {"application": s.ApplicationSerializer(g.application).data, "count": g.count, "min_scores": g.min_scores,
           "complete": g.complete, "mean": aggregation.rounded(g.mean), "trimmed_mean": aggregation.rounded(g.trimmed_mean),
           "std_dev": aggregation.rounded(g.std_dev), "spread": aggregation.rounded(g.spread), "divergent": g.divergent,
           "tally": g.tally}
    if lines:
        out["lines"] = [{"expert": s.ExpertSerializer(line.expert).data,
                         "values": {str(k): v for k, v in line.values.items()}, "total": aggregation.rounded(line.total),
                         "recommendation": line.score.recommendation, "comment": line.score.comment,
                         "submitted_at": line.score.submitted_at} for line in g.lines]
    return out


class _National(PortalView):
    portal_permission = "portal.manage_expert_review"

    def get_call(self):
        return get_object_or_404(Call, pk=self.kwargs["call_pk"])


class Panel(_National):
    serializer_class = s.ExpertSerializer

    @extend_schema(summary=summary("评审专家组", "The call's panel"), responses=s.ExpertSerializer(many=True),
                   tags=["expert review"])
    def get(self, request, call_pk):
        return Response(s.ExpertSerializer(queries.panel_experts(self.get_call()), many=True).data)

    @extend_schema(summary=summary("设定评审专家组", "Set the call's panel"), request=s.PanelInputSerializer,
                   responses=s.ExpertSerializer(many=True), tags=["expert review"])
    def put(self, request, call_pk):
        call = self.get_call()
        form = PanelForm(form_data({"experts": body(request).get("experts") or []}))
        check_form(form)
        services.set_panel(call, form.cleaned_data["experts"])
        return Response(s.ExpertSerializer(queries.panel_experts(call), many=True).data)


class Assignments(_National):
    serializer_class = s.AssignmentSerializer

    @extend_schema(summary=summary("评审任务（全部状态）", "The call's assignments"),
                   responses=s.AssignmentSerializer(many=True), tags=["expert review"])
    def get(self, request, call_pk):
        rows = queries.assignment_rows(self.get_call())
        return Response(s.AssignmentSerializer([a for _app, assignments, _n in rows for a in assignments], many=True).data)

    @extend_schema(summary=summary("分配一位专家", "Assign one expert"), request=s.ManualAssignInputSerializer,
                   responses={201: s.AssignmentSerializer}, tags=["expert review"])
    def post(self, request, call_pk):
        call = self.get_call()
        form = ManualAssignForm(form_data(body(request)), call=call)
        check_form(form)
        assignment = services.assign(form.cleaned_data["application"], form.cleaned_data["expert"], by=request.user)
        return Response(s.AssignmentSerializer(assignment).data, status=201)


class AutoAssign(_National):
    serializer_class = s.AutoAssignResultSerializer

    @extend_schema(summary=summary("自动分配（回避利益冲突、均衡负荷）", "Assign automatically"),
                   request=s.AutoAssignInputSerializer, responses=s.AutoAssignResultSerializer, tags=["expert review"])
    def post(self, request, call_pk):
        call = self.get_call()
        form = AutoAssignForm(form_data(body(request)))
        check_form(form)
        result = services.auto_assign(call, form.cleaned_data["per_application"], by=request.user,
                                      deadline=form.cleaned_data["deadline"])
        return Response({"created": len(result.created),
                         "shortages": {str(app.pk): n for app, n in result.shortages.items()}})


class Withdraw(_National):
    serializer_class = s.AssignmentSerializer

    @extend_schema(summary=summary("撤回评审任务", "Withdraw an assignment"), request=None,
                   responses=s.AssignmentSerializer, tags=["expert review"])
    def post(self, request, call_pk, pk):
        assignment = queries.call_assignment(self.get_call(), pk)
        if assignment is None:
            raise Http404
        services.withdraw(assignment, request.user)
        assignment.refresh_from_db()
        return Response(s.AssignmentSerializer(assignment).data)


class Ranking(_National):
    serializer_class = s.AggregateSerializer

    @extend_schema(summary=summary("专家评分排名与统计", "Expert ranking and aggregates"),
                   responses=inline_serializer("ExpertRanking", {
                       "stage_closed": drf.BooleanField(), "ranking": s.AggregateSerializer(many=True)}),
                   tags=["expert review"])
    def get(self, request, call_pk):
        call = self.get_call()
        return Response({"stage_closed": aggregation.stage_closed(call),
                         "ranking": [_aggregate(g) for g in aggregation.ranking(call)]})


class ApplicationScores(PortalView):
    portal_permission = "portal.manage_expert_review"
    serializer_class = s.AggregateDetailSerializer

    @extend_schema(summary=summary("一项申报的全部专家评分（含专家姓名）", "Every expert's score of an application"),
                   tags=["expert review"])
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        return Response(_aggregate(aggregation.aggregate_application(application), lines=True))


# ---- the expert's own -------------------------------------------------------------------------


class _Own(PortalView):
    portal_permission = "portal.expert_workspace"

    def get_assignment(self):
        return get_object_or_404(queries.assignments_for_expert(self.request.user), pk=self.kwargs["pk"])


class OwnAssignments(_Own):
    serializer_class = s.OwnAssignmentSerializer

    @extend_schema(summary=summary("我的评审任务", "My assignments"), tags=["expert"], operation_id="expert_assignments_list",
                   responses=s.OwnAssignmentSerializer(many=True))
    def get(self, request):
        return Response(s.OwnAssignmentSerializer(queries.assignments_for_expert(request.user), many=True).data)


class OwnAssignment(_Own):
    serializer_class = s.OwnAssignmentSerializer

    @extend_schema(summary=summary("我的一项评审任务", "One of my assignments"), tags=["expert"])
    def get(self, request, pk):
        return Response(s.OwnAssignmentSerializer(self.get_assignment()).data)


class OwnPlan(_Own):
    serializer_class = s.PlanSerializer

    @extend_schema(summary=summary("查看建设方案（记录首次查看时间，此后不能申明回避）",
                                   "Read the plan (records the first opening; no conflict declaration after)"),
                   tags=["expert"])
    def get(self, request, pk):
        assignment = self.get_assignment()
        services.record_opened(assignment)
        plan = queries.plan_for_scoring(assignment.application)
        version = plan["version"]
        return Response({"version": version.number if version else None, "snapshot": plan["snapshot"],
                         "eligibility": plan["eligibility"]})


class DeclareConflict(_Own):
    @extend_schema(summary=summary("申明回避", "Declare a conflict of interest"), request=s.ConflictInputSerializer,
                   responses=inline_serializer("ConflictResult", {"replaced": drf.BooleanField()}), tags=["expert"])
    def post(self, request, pk):
        assignment = self.get_assignment()
        form = ReasonForm(form_data(body(request)))
        check_form(form)
        replacement = services.declare_conflict(assignment, request.user, form.cleaned_data["reason"])
        return Response({"replaced": replacement is not None})


class OwnScore(_Own):
    serializer_class = s.OwnScoreSerializer

    def _payload(self, assignment, criteria):
        score = queries.own_score(assignment)
        return {"criteria": [{"id": c.pk, "name": c.name, "description": c.description, "weight": c.weight,
                              "max_score": c.max_score} for c in criteria],
                "values": {str(i.criterion_id): i.value for i in score.items.all()} if score else {},
                "recommendation": score.recommendation if score else "", "comment": score.comment if score else "",
                "submitted_at": score.submitted_at if score else None, "locked": bool(score and score.locked)}

    @extend_schema(summary=summary("我的评分", "My score"), tags=["expert"])
    def get(self, request, pk):
        assignment = self.get_assignment()
        return Response(self._payload(assignment, services.ensure_rubric(assignment.application.call)))

    @extend_schema(summary=summary("保存评分草稿或提交评分（提交后锁定）", "Save a draft or submit (locks the score)"),
                   request=s.ScoreInputSerializer, responses=s.OwnScoreSerializer, tags=["expert"])
    def put(self, request, pk):
        assignment = self.get_assignment()
        criteria = services.ensure_rubric(assignment.application.call)
        data = body(request)
        values = data.get("values") if isinstance(data.get("values"), dict) else {}
        final = data.get("final") is True
        form = ScoreForm(form_data({**{f"criterion_{k}": v for k, v in values.items()},
                                    "recommendation": data.get("recommendation", ""),
                                    "comment": data.get("comment", "")}), criteria=criteria, final=final)
        check_form(form)
        services.save_score(assignment, request.user, form.values(), form.cleaned_data["recommendation"],
                            form.cleaned_data["comment"], final=final)
        return Response(self._payload(assignment, criteria))
