"""Document pages. A request never renders a PDF: it queues a task and shows the status, which the
page polls with htmx. Every lookup goes through accounts.scoping; anything outside it is a 404."""

from applications.queries import applications_for
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.models import Call

from . import services
from .enums import DocumentKind, DocumentStatus
from .models import Document
from .sources import APPLICATION_KINDS, Unavailable

# The score summary names experts and shows each criterion per expert: national staff only.
SCORE_SUMMARY_PERM = "portal.see_expert_identities"


def _application(user, pk):
    qs = applications_for(user).select_related("call", "province", "applicant")
    return get_object_or_404(qs, pk=pk)


def _call_for_summary(user, pk):
    if not user.has_perm(SCORE_SUMMARY_PERM):
        raise Http404
    return get_object_or_404(Call, pk=pk)


def visible_document(user, pk) -> Document:
    document = get_object_or_404(Document.objects.select_related("application", "call"), pk=pk)
    if document.call_id:
        if not user.has_perm(SCORE_SUMMARY_PERM):
            raise Http404
    elif not applications_for(user).filter(pk=document.application_id).exists():
        raise Http404
    return document


@login_required
@require_GET
def application_documents(request, pk):
    application = _application(request.user, pk)
    rows = services.overview(application)
    return render(request, "documents/list.html", {"application": application, "rows": rows})


@login_required
@require_POST
def request_application_document(request, pk, kind):
    application = _application(request.user, pk)
    if kind not in APPLICATION_KINDS:
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


@login_required
@require_GET
def score_summary(request, pk):
    call = _call_for_summary(request.user, pk)
    document = services.current(DocumentKind.SCORE_SUMMARY, call=call)
    return render(request, "documents/score_summary_page.html", {"call": call, "document": document})


@login_required
@require_POST
def request_score_summary(request, pk):
    call = _call_for_summary(request.user, pk)
    try:
        document = services.request_document(DocumentKind.SCORE_SUMMARY, call=call, user=request.user)
    except Unavailable as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _queued_message(document))
    return redirect("documents:score_summary", pk=call.pk)


@login_required
@require_GET
def status_fragment(request, pk):
    return render(request, "documents/_status.html", {"document": visible_document(request.user, pk)})


@login_required
@require_GET
def download(request, pk):
    document = visible_document(request.user, pk)
    if document.status != DocumentStatus.READY or not document.file:
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                            filename=document.filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _queued_message(document):
    if document.status == DocumentStatus.READY:
        return _("内容未变化,沿用已生成的文书(第%(version)s版)。") % {"version": document.version}
    return _("已提交生成请求,请稍候。")
