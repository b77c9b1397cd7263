"""Documents (request a rendering, poll its state, download) and exports of the lists: the same
documents.services as the pages, the same portal.view_document rule (404 outside it)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from applications.models import Call
from applications.queries import visible_application
from documents import queries, services
from documents.enums import DocumentKind, DocumentStatus
from documents.exports import EXPORTS, parameters_from
from documents.sources import APPLICATION_KINDS, Unavailable

from .. import serializers as s
from ..pagination import Cursor
from ..schema import summary
from .base import PortalView, body


class ApplicationDocuments(PortalView):
    serializer_class = s.DocumentOverviewSerializer

    @extend_schema(summary=summary("申报的文书及其状态", "An application's documents"), tags=["documents"],
                   responses=s.DocumentOverviewSerializer(many=True))
    def get(self, request, pk):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        rows = [{**row, "label": str(row["label"]), "unavailable": None if row["unavailable"] is None
                 else str(row["unavailable"])} for row in services.overview(application, request.user)]
        return Response(s.DocumentOverviewSerializer(rows, many=True).data)


class RequestApplicationDocument(PortalView):
    serializer_class = s.DocumentSerializer

    @extend_schema(summary=summary("申请生成文书（内容未变化时沿用）", "Request a document (reused if unchanged)"),
                   request=None, responses={202: s.DocumentSerializer}, tags=["documents"],
                   parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(APPLICATION_KINDS))])
    def post(self, request, pk, kind):
        application = visible_application(request.user, pk)
        self.require("portal.view_application", application, hide=True)
        if kind not in APPLICATION_KINDS:
            raise Http404
        try:
            document = services.request_document(kind, application=application, user=request.user)
        except Unavailable as exc:
            raise exceptions.ValidationError({"kind": [str(exc)]})
        return Response(s.DocumentSerializer(document).data, status=202)


class ScoreSummary(PortalView):
    serializer_class = s.DocumentSerializer

    def get_call(self):
        self.require("portal.see_expert_identities", hide=True)
        return get_object_or_404(Call, pk=self.kwargs["pk"])

    @extend_schema(summary=summary("专家评分汇总表（PDF）的当前文件", "The current score summary PDF"),
                   responses=s.DocumentSerializer(allow_null=True), tags=["documents"])
    def get(self, request, pk):
        document = services.current(DocumentKind.SCORE_SUMMARY, call=self.get_call())
        return Response(s.DocumentSerializer(document).data if document else None)

    @extend_schema(summary=summary("申请生成专家评分汇总表（PDF)", "Request the score summary PDF"), request=None,
                   responses={202: s.DocumentSerializer}, tags=["documents"])
    def post(self, request, pk):
        try:
            document = services.request_document(DocumentKind.SCORE_SUMMARY, call=self.get_call(), user=request.user)
        except Unavailable as exc:
            raise exceptions.ValidationError({"call": [str(exc)]})
        return Response(s.DocumentSerializer(document).data, status=202)


class _Document(PortalView):
    def get_document(self):
        document = queries.document(self.kwargs["pk"])
        self.require("portal.view_document", document, hide=True)
        return document


class DocumentDetail(_Document):
    serializer_class = s.DocumentSerializer

    @extend_schema(summary=summary("文书或导出的状态（轮询）", "A document's or export's state (poll it)"),
                   tags=["documents"])
    def get(self, request, pk):
        return Response(s.DocumentSerializer(self.get_document()).data)


class DocumentDownload(_Document):
    @extend_schema(summary=summary("下载已生成的文书或导出文件", "Download a ready document or export"),
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF / XLSX / CSV")},
                   tags=["documents"])
    def get(self, request, pk):
        document = self.get_document()
        if document.status != DocumentStatus.READY or not document.file:
            raise Http404
        response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                                filename=document.filename)
        response["Cache-Control"] = "private, no-store"
        return response


class ExportList(PortalView):
    serializer_class = s.DocumentSerializer
    pagination_class = Cursor

    @extend_schema(summary=summary("我的导出", "My exports"), tags=["exports"], responses=s.DocumentSerializer(many=True))
    def get(self, request):
        qs = queries.exports_of(request.user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.DocumentSerializer(page, many=True).data)


class RequestExport(PortalView):
    serializer_class = s.DocumentSerializer

    @extend_schema(summary=summary("导出列表（XLSX 或 CSV，按页面的筛选条件，后台生成）",
                                   "Export a list (XLSX or CSV, with the page's filters, rendered in the background)"),
                   request=s.ExportInputSerializer, responses={202: s.DocumentSerializer}, tags=["exports"],
                   parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(EXPORTS))])
    def post(self, request, kind):
        spec = EXPORTS.get(kind)
        if spec is None:
            raise Http404
        self.require(spec.permission, hide=True)
        data = body(request)
        filters = data.get("filters") if isinstance(data.get("filters"), dict) else {}
        document = services.request_export(kind, str(data.get("format", "")), request.user,
                                           parameters_from(kind, {k: str(v) for k, v in filters.items()}))
        return Response(s.DocumentSerializer(document).data, status=202)
