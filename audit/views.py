"""The 审计管理员's pages: search and filter the audit trail, export what the filters select.

Only `portal.read_audit_trail` (the 审计管理员 role) reaches them; anyone else signed in gets 403
(itself recorded), anonymous users the login page. The permission is asked by name: this app sits
below accounts and portal and imports neither."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django_filters.views import FilterView

from . import exports, labels, queries
from .filters import AuditRecordFilter


class _AuditTrailMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "portal.read_audit_trail"


class RecordListView(_AuditTrailMixin, FilterView):
    template_name = "audit/records.html"
    filterset_class = AuditRecordFilter
    context_object_name = "records"
    paginate_by = 50

    def get_queryset(self):
        return queries.records()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(r, labels.action_label(r.action), labels.role_label(r.actor_role) if r.actor_role else "",
                        labels.object_type_label(r.object_type),
                        json.dumps(r.details, ensure_ascii=False, sort_keys=True, indent=1) if r.details else "")
                       for r in ctx["records"]]
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["query"] = query.urlencode()
        ctx["verification"] = queries.latest_verification()
        ctx["xlsx_max_rows"] = exports.XLSX_MAX_ROWS
        return ctx


class ExportView(_AuditTrailMixin, FilterView):
    """GET ?format=csv|xlsx with the list's filters."""

    filterset_class = AuditRecordFilter

    def get_queryset(self):
        return queries.records().order_by("sequence")

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset(self.get_filterset_class())
        query = request.GET.copy()
        query.pop("format", None)
        back = redirect(f"{reverse('audit:records')}?{query.urlencode()}")
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("筛选条件有误，请修改后再导出。"))
            return back
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        try:
            content, content_type, filename = exports.export_records(
                request.user, filterset.qs, fmt, filterset.active_filters())
        except exports.ExportTooLarge as exc:
            messages.error(request, _("选中的记录有 %(count)s 条，超过 Excel 导出上限 %(limit)s 条。请缩小筛选范围，或导出 CSV。")
                           % {"count": exc.args[0], "limit": exports.XLSX_MAX_ROWS})
            return back
        response = (StreamingHttpResponse(content, content_type=content_type) if fmt == "csv"
                    else HttpResponse(content, content_type=content_type))
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


def csrf_failure(request, reason=""):
    """Django's CSRF failure page; the reason goes into the audit record of the denial
    (audit.middleware.RequestContextMiddleware records every 403)."""
    request.audit_denial_reason = f"CSRF: {reason}"
    return django_csrf_failure(request, reason=reason)
