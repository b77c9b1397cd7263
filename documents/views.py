"""Document pages. A request never renders a PDF: it queues a task and shows the status, which the
page polls with htmx. Applications come through applications.queries and every permission is a
portal.* rule; a user outside a document's scope gets 404, never a hint that it exists."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.mixins import RolePermissionMixin
from applications.models import Call
from applications.queries import visible_application

from . import queries, services
from .enums import DocumentKind, DocumentStatus
from .exports import EXPORTS, parameters_from
from .sources import Unavailable


class _ApplicationDocuments(RolePermissionMixin, View):
    permission_required = "portal.view_application"
    not_found_when_denied = True

    def get_permission_object(self):
        if not hasattr(self, "application"):
            self.application = visible_application(self.request.user, self.kwargs["pk"])
        return self.application


class ApplicationDocumentsView(_ApplicationDocuments):
    http_method_names = ["get"]

    def get(self, request, pk):
        rows = services.overview(self.application, request.user)
        services.report_delays([row["document"] for row in rows])
        return render(request, "documents/list.html", {"application": self.application, "rows": rows})


class RequestApplicationDocumentView(_ApplicationDocuments):
    http_method_names = ["post"]

    def post(self, request, pk, kind):
        application = self.application
        if kind not in services.kinds_for(request.user, application):
            raise Http404
        try:
            document = services.request_document(kind, application=application, user=request.user)
        except Unavailable as exc:
            messages.error(request, str(exc))
            return redirect("documents:list", pk=application.pk)
        if request.htmx:
            return render(request, "documents/_status.html", {"document": document})
        messages.info(request, _queued_message(document))
        return redirect("documents:list", pk=application.pk)


class _ScoreSummary(RolePermissionMixin, View):
    """The score summary names experts and shows each criterion per expert: national staff only."""

    permission_required = "portal.see_expert_identities"
    not_found_when_denied = True

    def call(self):
        return get_object_or_404(Call, pk=self.kwargs["pk"])


class ScoreSummaryView(_ScoreSummary):
    http_method_names = ["get"]

    def get(self, request, pk):
        call = self.call()
        document = services.current(DocumentKind.SCORE_SUMMARY, call=call)
        services.report_delays([document])
        return render(request, "documents/score_summary_page.html", {"call": call, "document": document})


class RequestScoreSummaryView(_ScoreSummary):
    http_method_names = ["post"]

    def post(self, request, pk):
        call = self.call()
        try:
            document = services.request_document(DocumentKind.SCORE_SUMMARY, call=call, user=request.user)
        except Unavailable as exc:
            messages.error(request, str(exc))
        else:
            messages.info(request, _queued_message(document))
        return redirect("documents:score_summary", pk=call.pk)


class _Document(RolePermissionMixin, View):
    permission_required = "portal.view_document"
    not_found_when_denied = True
    http_method_names = ["get"]

    def get_permission_object(self):
        if not hasattr(self, "document"):
            self.document = queries.document(self.kwargs["pk"])
        return self.document


class StatusView(_Document):
    def get(self, request, pk):
        services.report_delays([self.document])
        return render(request, "documents/_status.html", {"document": self.document})


class DownloadView(_Document):
    def get(self, request, pk):
        document = self.document
        if document.status != DocumentStatus.READY or not document.file:
            raise Http404
        response = FileResponse(services.open_for_download(document, request.user),
                                content_type=document.content_type, as_attachment=True, filename=document.filename)
        response["Cache-Control"] = "private, no-store"
        return response


class RequestExportView(LoginRequiredMixin, View):
    """POST from a list page's export buttons: the page's filters and the format; the export is queued
    and the user lands on their exports, which poll until the file is ready."""

    http_method_names = ["post"]

    def post(self, request, kind):
        if kind not in EXPORTS:
            raise Http404
        try:
            document = services.request_export(kind, request.POST.get("format", ""), request.user,
                                               parameters_from(kind, request.POST))
        except services.ExportRefused as exc:
            if not request.user.has_perm(EXPORTS[kind].permission):
                raise Http404
            messages.error(request, exc.message)
            return redirect("documents:exports")
        messages.info(request, _queued_message(document))
        return redirect("documents:exports")


class ExportListView(LoginRequiredMixin, View):
    """The user's own exports, newest first, each with its status (polled while in progress)."""

    http_method_names = ["get"]

    def get(self, request):
        return render(request, "documents/exports.html", {"exports": queries.exports_of(request.user)[:30]})


def _queued_message(document):
    if document.status == DocumentStatus.READY:
        return _("内容未变化,沿用已生成的文书(第%(version)s版)。") % {"version": document.version}
    return _("已提交生成请求,请稍候。")
