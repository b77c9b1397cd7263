"""Calls, applications (list with the pages' filters, detail, versions, eligibility, evidence) and
transitions: the same queries (applications_for and its scopes) and the same perform()."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from applications import eligibility, submission
from applications.models import Call, Evidence
from applications.queries import visible_application
from applications.views import _attachment
from review import queries as review_queries
from review.filters import NationalQueueFilter, ProvincialQueueFilter
from review.forms import TransitionForm
from review.transitions import TRANSITIONS, available, perform

from .. import serializers as s
from ..pagination import Cursor
from ..schema import summary
from .base import WORKSPACES, PortalView, body, check_form, form_data

FILTERS = {"portal.provincial_workspace": ProvincialQueueFilter, "portal.national_workspace": NationalQueueFilter}
FILTER_PARAMETERS = [
    OpenApiParameter("state", str, description="状态 / State (provincial and national staff)"),
    OpenApiParameter("call", int, description="申报批次 id / Call id (provincial and national staff)"),
    OpenApiParameter("industry", str, description="产业（包含）/ Industry contains (provincial and national staff)"),
    OpenApiParameter("city", str, description="所在城市 / City (provincial staff)"),
    OpenApiParameter("deadline", str, enum=["soon", "open", "passed"], description="报送截止 / Deadline (provincial)"),
    OpenApiParameter("province", int, description="省份 id / Province id (national staff)"),
    OpenApiParameter("region", str, description="地区 / Region (national staff)"),
]


class CallList(PortalView):
    serializer_class = s.CallSerializer
    pagination_class = Cursor

    @extend_schema(summary=summary("申报批次列表", "List calls"), tags=["calls"], operation_id="calls_list",
                   responses=s.CallSerializer(many=True))
    def get(self, request):
        self.require_any(WORKSPACES)
        page = self.paginate_queryset(Call.objects.all())
        return self.get_paginated_response(s.CallSerializer(page, many=True).data)


class CallDetail(PortalView):
    serializer_class = s.CallSerializer

    @extend_schema(summary=summary("申报批次详情", "A call"), tags=["calls"])
    def get(self, request, pk):
        self.require_any(WORKSPACES)
        return Response(s.CallSerializer(get_object_or_404(Call, pk=pk)).data)


def filtered_applications(request):
    """applications_for(user) with the filters of the user's list page (django-filter), as on the page."""
    user = request.user
    qs = review_queries.provincial_queue(user)
    for permission, filterset_class in FILTERS.items():
        if user.has_perm(permission):
            filterset = filterset_class(request.query_params, queryset=qs)
            if not filterset.is_valid():
                raise exceptions.ValidationError(filterset.errors)
            return filterset.qs
    return qs


class ApplicationList(PortalView):
    serializer_class = s.ApplicationSerializer
    pagination_class = Cursor

    @extend_schema(summary=summary("申报列表（按角色的可见范围，支持与页面相同的筛选）",
                                   "List the applications you may see, with the pages' filters"),
                   parameters=FILTER_PARAMETERS, tags=["applications"], operation_id="applications_list",
                   responses=s.ApplicationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(filtered_applications(request))
        return self.get_paginated_response(s.ApplicationSerializer(page, many=True).data)


def transition_rows(application, user):
    return [{"name": t.name, "label": str(t.label), "opinion_required": t.opinion_required,
             "opinion_label": str(t.opinion_label), "inputs": list(t.inputs), "required_inputs": list(t.required_inputs)}
            for t in available(application, user, visible=True)]


class ApplicationDetail(PortalView):
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(summary=summary("申报详情", "An application"), tags=["applications"])
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        is_owner = request.user.has_perm("portal.own_application", application)
        if is_owner:
            content = submission.snapshot(application)
        else:
            version = application.versions.filter(number=application.current_version).first()
            content = version.snapshot if version else {}
        application.content, application.is_owner = content, is_owner
        application.transitions = transition_rows(application, request.user)
        return Response(s.ApplicationDetailSerializer(application).data)


class VersionList(PortalView):
    serializer_class = s.VersionSerializer

    @extend_schema(summary=summary("申报版本列表", "Submitted versions"), tags=["applications"],
                   operation_id="applications_versions_list", responses=s.VersionSerializer(many=True))
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        return Response(s.VersionSerializer(application.versions.order_by("number"), many=True).data)


class VersionDetail(PortalView):
    serializer_class = s.VersionDetailSerializer

    @extend_schema(summary=summary("申报版本（冻结的快照）", "A frozen version"), tags=["applications"])
    def get(self, request, pk, number):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        version = get_object_or_404(application.versions, number=number)
        return Response(s.VersionDetailSerializer(version).data)


def _result_row(r):
    return {"code": r.code, "kind": r.kind, "status": r.status, "title": str(r.title), "message": str(r.message),
            "figure": None if r.figure is None else str(r.figure),
            "threshold": None if r.threshold is None else str(r.threshold), "blocks_submission": r.blocks_submission}


class EligibilityView(PortalView):
    serializer_class = s.EligibilityResultSerializer

    @extend_schema(summary=summary("申报条件审查结果（指南四（一）)", "Eligibility result (guide 4(1))"),
                   responses=s.EligibilityResultSerializer(many=True), tags=["applications"])
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        if request.user.has_perm("portal.own_application", application):
            results = eligibility.evaluate_application(application)
        else:
            version = application.versions.filter(number=application.current_version).first()
            results = eligibility.evaluate(eligibility.data_from_snapshot(version.snapshot if version else {}))
        return Response([_result_row(r) for r in results])


def _evidence_of(user, application):
    """The owner sees its current files; reviewers the files of the submitted version (as on the page)."""
    if user.has_perm("portal.own_application", application):
        return application.evidence.filter(withdrawn_at__isnull=True).order_by("kind", "uploaded_at", "pk")
    return Evidence.objects.filter(versions__application=application,
                                   versions__number=application.current_version).order_by("kind", "uploaded_at", "pk")


class EvidenceList(PortalView):
    serializer_class = s.EvidenceSerializer

    @extend_schema(summary=summary("证明材料（元数据）", "Evidence metadata"), tags=["applications"],
                   responses=s.EvidenceSerializer(many=True))
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        return Response(s.EvidenceSerializer(_evidence_of(request.user, application), many=True).data)


class EvidenceDownload(PortalView):
    @extend_schema(summary=summary("下载证明材料", "Download an evidence file"), tags=["applications"],
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="文件 / The file")})
    def get(self, request, pk, evidence_pk):
        application = visible_application(request.user, pk)
        evidence = get_object_or_404(Evidence, application=application, pk=evidence_pk)
        self.require("portal.view_evidence", evidence, hide=True)
        return _attachment(evidence.file, evidence.original_name, evidence.content_type)


class TransitionList(PortalView):
    serializer_class = s.TransitionSerializer

    @extend_schema(summary=summary("当前可执行的操作", "Transitions you may attempt now"),
                   responses=s.TransitionSerializer(many=True), tags=["transitions"])
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        return Response(transition_rows(application, request.user))


class TransitionPerform(PortalView):
    serializer_class = s.TransitionResultSerializer

    @extend_schema(summary=summary("执行流转操作（与页面相同的规则、意见与日志）",
                                   "Perform a transition (same rules, opinion and log as the page)"),
                   request=s.TransitionInputSerializer, responses=s.TransitionResultSerializer, tags=["transitions"],
                   parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(TRANSITIONS))])
    def post(self, request, pk, name):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        transition = TRANSITIONS.get(name)
        if transition is None or request.user.role not in transition.roles:
            raise exceptions.PermissionDenied(_("您的角色无权执行此操作。"))
        form = TransitionForm(transition, application, form_data(body(request), transition.name))
        check_form(form)
        entry = perform(application, request.user, name, form.cleaned_data["opinion"],
                        expected_state=form.cleaned_data["expected_state"], extra=form.extra)
        return Response({"log_entry": {"id": entry.pk, "transition": entry.transition, "from_state": entry.from_state,
                                       "to_state": entry.to_state, "opinion": entry.opinion, "version": entry.version,
                                       "created_at": entry.created_at},
                         "application": s.ApplicationSerializer(application).data})
