"""The zones after 批复: the zones table (the page's filters, cursor pagination), a zone, its quarterly
reports (versions, transitions), annual core indicators (the guide's ratios, confirm/return),
inspections and rectifications, studies and acceptance. The same scoping queries (zones.queries), the
same portal.* rules (404 where the page hides the zone), the same forms and the same services as the
pages (zones.services.transition over zones/transitions.py), so no rule is written twice."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from zones import indicators, queries, schedule, services
from zones.filters import filtered_zones
from zones.forms import InspectionForm, TransitionForm
from zones.states import INDICATOR_STATES, RECTIFICATION_STATES, REPORT_STATES, ZONE_STATES
from zones.transitions import WORKFLOWS, report_snapshot

from .. import serializers as s
from ..pagination import Cursor
from ..schema import summary
from .base import PortalView, body, check_form, form_data

STATE_TABLES = {"zone": ZONE_STATES, "report": REPORT_STATES, "indicators": INDICATOR_STATES,
                "rectification": RECTIFICATION_STATES}
ZONE_FILTERS = [
    OpenApiParameter("state", str, enum=list(ZONE_STATES), description="实验区状态 / Zone state"),
    OpenApiParameter("industry", str, description="产业（包含）/ Industry contains"),
    OpenApiParameter("province", int, description="省份 id（国家局）/ Province id (national staff)"),
    OpenApiParameter("region", str, description="地区（国家局）/ Region (national staff)"),
]
TAGS = ["zones"]


def _name_parameter(kind):
    return [OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(WORKFLOWS[kind].transitions))]


def transition_rows(kind, obj, user):
    return [{"name": t.name, "label": str(t.label), "opinion_required": t.opinion_required,
             "opinion_label": str(t.opinion_label), "inputs": list(t.inputs), "required_inputs": list(t.required_inputs)}
            for t in WORKFLOWS[kind].available(obj, user, visible=True)]


class _Zone(PortalView):
    """A view of one zone the user may see: 404 otherwise (never 403), as the zone pages."""

    def get_zone(self):
        if not hasattr(self, "zone"):
            self.zone = queries.visible_zone(self.request.user, self.kwargs["pk"])
            self.require("portal.view_zone", self.zone, hide=True)
        return self.zone

    def perform_transition(self, kind, obj, name):
        """The page's transition post: the role may attempt it (else 403), the page's form checks the
        input (field errors), services.transition performs it (refusals as field errors, 409 if stale)."""
        transition = WORKFLOWS[kind].transitions.get(name)
        if transition is None or self.request.user.role not in transition.roles:
            raise exceptions.PermissionDenied(_("您的角色无权执行此操作。"))
        form = TransitionForm(transition, obj, form_data(body(self.request), transition.name))
        check_form(form)
        entry = services.transition(kind, obj, self.request.user, name, form.cleaned_data["opinion"],
                                    expected_state=form.cleaned_data["expected_state"], extra=form.extra)
        obj.refresh_from_db()
        return Response({"log_entry": {"id": entry.pk, "transition": entry.transition, "from_state": entry.from_state,
                                       "to_state": entry.to_state, "opinion": entry.opinion,
                                       "created_at": entry.created_at},
                         "state": obj.state, "state_label": str(STATE_TABLES[kind][obj.state].label)})


# --- zones ---------------------------------------------------------------------------------------


class ZoneList(PortalView):
    serializer_class = s.ZoneRowSerializer
    pagination_class = Cursor
    portal_permission = "portal.view_zone_list"

    @extend_schema(summary=summary("实验区列表（对照指南目标，支持与页面相同的筛选）",
                                   "List the zones you may see against the guide's targets, with the page's filters"),
                   parameters=ZONE_FILTERS, tags=TAGS, operation_id="zones_list",
                   responses=s.ZoneRowSerializer(many=True))
    def get(self, request):
        user = request.user
        filterset, qs = filtered_zones(user, request.query_params, queries.zones_for(user))
        if qs is None:
            raise exceptions.ValidationError(filterset.errors)
        page = self.paginate_queryset(queries.annotated_zones(user, qs))
        rows = [{"zone": r.zone, "construction_year": r.construction_year, "latest_year": r.latest_year,
                 "cells": {k: {"status": c.status, "label": str(c.label), "figure": c.figure} for k, c in r.cells.items()},
                 "overdue_reports": r.overdue_reports, "overdue_indicators": r.overdue_indicators,
                 "open_rectifications": r.open_rectifications} for r in queries.zone_rows(page)]
        return self.get_paginated_response(s.ZoneRowSerializer(rows, many=True).data)


class ZoneDetail(_Zone):
    serializer_class = s.ZoneDetailSerializer

    @extend_schema(summary=summary("实验区详情（年度目标、逾期与待整改、可执行的操作）",
                                   "A zone (targets, overdue items, open rectifications, transitions)"), tags=TAGS)
    def get(self, request, pk):
        zone = self.get_zone()
        annotated = get_object_or_404(queries.annotated_zones(request.user).prefetch_related("targets"), pk=zone.pk)
        annotated.construction_year = schedule.construction_year(annotated.start_on, timezone.localdate())
        annotated.transitions = transition_rows("zone", annotated, request.user)
        return Response(s.ZoneDetailSerializer(annotated).data)


class ZoneTransition(_Zone):
    serializer_class = s.ZoneTransitionResultSerializer

    @extend_schema(summary=summary("实验区流转（总结验收、撤销；与页面相同的规则与日志）",
                                   "A zone's transition (acceptance, revocation; same rules and log as the page)"),
                   request=s.ZoneTransitionInputSerializer, tags=TAGS, parameters=_name_parameter("zone"))
    def post(self, request, pk, name):
        return self.perform_transition("zone", self.get_zone(), name)


class Acceptance(_Zone):
    serializer_class = s.AcceptanceSerializer

    @extend_schema(summary=summary("总结验收的状态、各轮结论与可执行的操作",
                                   "Acceptance: state, each round's decision, transitions"), tags=TAGS)
    def get(self, request, pk):
        zone = self.get_zone()
        return Response(s.AcceptanceSerializer({
            "state": zone.state, "state_label": str(ZONE_STATES[zone.state].label),
            "rounds": zone.acceptance_rounds.order_by("number"),
            "transitions": transition_rows("zone", zone, request.user)}).data)


# --- quarterly reports ---------------------------------------------------------------------------


class ReportList(_Zone):
    serializer_class = s.ReportSerializer

    @extend_schema(summary=summary("季度进展报告（已开始的季度）", "Quarterly reports (quarters begun)"), tags=TAGS,
                   operation_id="zones_reports_list", responses=s.ReportSerializer(many=True))
    def get(self, request, pk):
        today = timezone.localdate()
        reports = list(queries.started_reports(self.get_zone(), today))
        for report in reports:
            report.overdue = queries.is_overdue(report, today)
        return Response(s.ReportSerializer(reports, many=True).data)


class _Report(_Zone):
    def get_report(self):
        report = queries.zone_report(self.get_zone(), self.kwargs["report_pk"])
        self.require("portal.view_zone", report, hide=True)
        return report


class ReportDetail(_Report):
    serializer_class = s.ReportDetailSerializer

    @extend_schema(summary=summary("季度进展报告（建设主体看到草稿，其他人看到最近报送的版本）",
                                   "A quarterly report (the owner sees its draft, others the last version)"),
                   tags=TAGS)
    def get(self, request, pk, report_pk):
        report = self.get_report()
        report.is_owner = request.user.has_perm("portal.own_zone", report)
        if report.is_owner:
            report.content = report_snapshot(report)
        else:
            version = report.versions.filter(number=report.current_version).first()
            report.content = version.snapshot if version else {}
        report.overdue = queries.is_overdue(report, timezone.localdate())
        report.transitions = transition_rows("report", report, request.user)
        return Response(s.ReportDetailSerializer(report).data)


class ReportVersions(_Report):
    serializer_class = s.ReportVersionSerializer

    @extend_schema(summary=summary("季度报告已报送的版本（冻结）", "A report's submitted versions (frozen)"), tags=TAGS,
                   operation_id="zones_reports_versions_list", responses=s.ReportVersionSerializer(many=True))
    def get(self, request, pk, report_pk):
        return Response(s.ReportVersionSerializer(queries.report_versions(self.get_report()), many=True).data)


class ReportTransition(_Report):
    serializer_class = s.ZoneTransitionResultSerializer

    @extend_schema(summary=summary("报送或退回季度报告（与页面相同的规则与日志）",
                                   "Submit or return a report (same rules and log as the page)"),
                   request=s.ZoneTransitionInputSerializer, tags=TAGS, parameters=_name_parameter("report"))
    def post(self, request, pk, report_pk, name):
        return self.perform_transition("report", self.get_report(), name)


# --- annual core indicators ----------------------------------------------------------------------


def _indicator_row(item, figures, counted, today):
    return {"year": item.year, "due_on": item.due_on, "state": item.state, "state_label": str(item.get_state_display()),
            "overdue": queries.is_overdue(item, today), "counted": counted,
            "figures": {f: (getattr(item, f) if counted else None) for f in queries.FIGURE_FIELDS},
            "patented_sales_share": indicators.shown(figures.patented_sales_share) if counted else None,
            "patented_sales_met": figures.patented_sales_met if counted else None,
            "rd_share": indicators.shown(figures.rd_share) if counted else None,
            "rd_met": figures.rd_met if counted else None}


class IndicatorList(_Zone):
    serializer_class = s.IndicatorSerializer

    @extend_schema(summary=summary("核心指标年度统计（含指南的两项比例）", "Annual core indicators with the guide's ratios"),
                   tags=TAGS, operation_id="zones_indicators_list", responses=s.IndicatorSerializer(many=True))
    def get(self, request, pk):
        today = timezone.localdate()
        rows = [_indicator_row(item, figures, counted, today)
                for _zone, item, figures, counted in queries.indicator_table(request.user, [self.get_zone()])]
        return Response(s.IndicatorSerializer(rows, many=True).data)


class _Indicators(_Zone):
    def get_set(self):
        item = queries.zone_indicator_set(self.get_zone(), self.kwargs["year"])
        self.require("portal.view_zone", item, hide=True)
        return item


class IndicatorDetail(_Indicators):
    serializer_class = s.IndicatorDetailSerializer

    @extend_schema(summary=summary("一个年度的核心指标（增长、对照建设方案目标、证明材料）",
                                   "One year's indicators (growth, against the plan, evidence)"), tags=TAGS)
    def get(self, request, pk, year):
        item = self.get_set()
        _zone, _item, figures, counted = next(row for row in queries.indicator_table(request.user, [item.zone])
                                              if row[1].pk == item.pk)
        row = _indicator_row(item, figures, counted, timezone.localdate())
        row["rows"] = [{"field": r["field"], "label": str(r["label"]), "value": r["value"], "growth": r["growth"],
                        "target": r["target"], "percent_of_target": r["percent"],
                        "target_met": r["against"]["met"] if r["against"] else None}
                       for r in queries.figure_rows(item, figures)] if counted else []
        row["evidence"] = [e for e in item.evidence.all() if e.withdrawn_at is None] if counted else []
        row["transitions"] = transition_rows("indicators", item, request.user)
        return Response(s.IndicatorDetailSerializer(row).data)


class IndicatorTransition(_Indicators):
    serializer_class = s.ZoneTransitionResultSerializer

    @extend_schema(summary=summary("报送、审核确认或退回核心指标（与页面相同的规则与日志）",
                                   "Submit, confirm or return indicators (same rules and log as the page)"),
                   request=s.ZoneTransitionInputSerializer, tags=TAGS, parameters=_name_parameter("indicators"))
    def post(self, request, pk, year, name):
        return self.perform_transition("indicators", self.get_set(), name)


# --- supervision ---------------------------------------------------------------------------------


class Inspections(_Zone):
    serializer_class = s.InspectionSerializer

    @extend_schema(summary=summary("监督检查与整改要求", "Inspections and their rectifications"), tags=TAGS,
                   operation_id="zones_inspections_list", responses=s.InspectionSerializer(many=True))
    def get(self, request, pk):
        inspections = list(queries.zone_inspections(self.get_zone()))
        for inspection in inspections:
            rect = getattr(inspection, "rectification", None) if hasattr(inspection, "rectification") else None
            if rect is not None:
                rect.zone = self.zone
                rect.transitions = transition_rows("rectification", rect, request.user)
        return Response(s.InspectionSerializer(inspections, many=True).data)

    @extend_schema(summary=summary("记录监督检查（可提出整改要求及期限）",
                                   "Record an inspection (optionally requiring rectification by a deadline)"),
                   request=s.InspectionInputSerializer, responses={201: s.InspectionSerializer}, tags=TAGS)
    def post(self, request, pk):
        zone = self.get_zone()
        self.require("portal.supervise_zone", zone, hide=True)
        form = InspectionForm(form_data(body(request)))
        check_form(form)
        inspection = services.record_inspection(zone, request.user, **form.cleaned_data)
        return Response(s.InspectionSerializer(inspection).data, status=201)


class RectificationTransition(_Zone):
    serializer_class = s.ZoneTransitionResultSerializer

    @extend_schema(summary=summary("报送整改情况、确认整改完毕或继续整改（与页面相同的规则与日志）",
                                   "Answer, close or reopen a rectification (same rules and log as the page)"),
                   request=s.ZoneTransitionInputSerializer, tags=TAGS, parameters=_name_parameter("rectification"))
    def post(self, request, pk, rectification_pk, name):
        rectification = queries.zone_rectification(self.get_zone(), rectification_pk)
        return self.perform_transition("rectification", rectification, name)


class Studies(_Zone):
    serializer_class = s.ZoneFileSerializer

    @extend_schema(summary=summary("第三方跟踪研究报告", "Third-party tracking studies"), tags=TAGS,
                   operation_id="zones_studies_list", responses=s.ZoneFileSerializer(many=True))
    def get(self, request, pk):
        return Response(s.ZoneFileSerializer(queries.zone_studies(self.get_zone()), many=True).data)


class FileDownload(PortalView):
    @extend_schema(summary=summary("下载实验区文件（附件、证明材料、研究报告、验收材料）",
                                   "Download a zone's file (attachment, evidence, study, acceptance material)"),
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="文件 / The file")},
                   tags=TAGS)
    def get(self, request, pk):
        item = queries.file_for(request.user, pk)
        self.require("portal.view_zone_file", item, hide=True)
        response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=True,
                                filename=item.original_name)
        response["Cache-Control"] = "private, no-store"
        return response
