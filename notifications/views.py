from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from . import queries, services
from .messages import text
from .models import Notification


class InboxView(LoginRequiredMixin, ListView):
    template_name = "notifications/inbox.html"
    context_object_name = "notifications"
    paginate_by = 50

    def get_queryset(self):
        return queries.inbox(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for note in ctx["notifications"]:
            note.text = text(note)  # in the reader's language
        return ctx


@login_required
@require_POST
def mark_read(request, pk):
    try:
        note = services.mark_read(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404
    if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}):
        # A plain redirect, never redirect(): that would read a URL without "/" as a view name (500).
        return HttpResponseRedirect(note.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(request.user)
    return redirect("notifications:inbox")
