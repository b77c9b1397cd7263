from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from accounts.mixins import RolePermissionMixin
from accounts.scoping import applications_for


class ApplicantWorkspaceView(RolePermissionMixin, ListView):
    permission_required = "portal.applicant_workspace"
    template_name = "applications/workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return applications_for(self.request.user).select_related("call", "province", "applicant")


class ApplicationDetailView(RolePermissionMixin, DetailView):
    """Read-only page of one application; anyone outside its scope gets 404."""

    permission_required = "portal.view_application"
    template_name = "applications/detail.html"
    context_object_name = "application"

    def get_object(self, queryset=None):
        if not hasattr(self, "_object"):
            qs = applications_for(self.request.user).select_related("call", "province", "applicant")
            self._object = get_object_or_404(qs, pk=self.kwargs["pk"])
        return self._object

    def get_permission_object(self):
        return self.get_object()
