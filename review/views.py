from django.views.generic import ListView

from accounts.mixins import RolePermissionMixin
from accounts.scoping import applications_for


class ProvincialWorkspaceView(RolePermissionMixin, ListView):
    permission_required = "portal.provincial_workspace"
    template_name = "review/provincial_workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return applications_for(self.request.user).select_related("call", "province", "applicant")


class NationalWorkspaceView(RolePermissionMixin, ListView):
    permission_required = "portal.national_workspace"
    template_name = "review/national_workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return applications_for(self.request.user).select_related("call", "province", "applicant")


class ExpertWorkspaceView(RolePermissionMixin, ListView):
    permission_required = "portal.expert_workspace"
    template_name = "review/expert_workspace.html"
    context_object_name = "applications"

    def get_queryset(self):
        return applications_for(self.request.user).select_related("call", "province")
