"""What every API view shares: authentication, the read-only token scope, throttles, the portal.*
permission asked by name (403, or 404 where the page hides the object), a form's errors as field
errors, and a refusal as a problem document."""

from __future__ import annotations

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from pagecache import responses

from ..permissions import TokenScope

WORKSPACES = ("portal.applicant_workspace", "portal.provincial_workspace", "portal.national_workspace",
              "portal.expert_workspace")


class PortalView(GenericAPIView):
    permission_classes = [IsAuthenticated, TokenScope]
    # Like RolePermissionMixin.permission_required: asked before anything is fetched.
    portal_permission: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.portal_permission:
            self.require(self.portal_permission)
        # Authenticated (the token's use audited), permitted and throttled: a GET whose answer this user
        # and token already got, with nothing it was read from changed since, is answered from the
        # cache (pagecache.responses); otherwise the handler's reads are watched to keep its answer.
        self.cached = responses.begin(request._request, viewer=str(getattr(request.auth, "pk", "") or ""))
        if self.cached is not None and self.cached.entry is not None:
            hit = responses.answer(self.cached)
            self.get = lambda *args, **kwargs: hit

    def dispatch(self, request, *args, **kwargs):
        self.cached = None
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BaseException:
            if self.cached is not None:
                self.cached.stop()
            raise
        responses.finish(self.cached, response)
        return response

    def require(self, permission, obj=None, *, hide=False):
        """The user must have this portal permission (on obj): 403, or 404 where the page hides the object."""
        if not self.request.user.has_perm(permission, obj):
            if hide:
                raise Http404
            raise exceptions.PermissionDenied()

    def require_any(self, permissions):
        if not any(self.request.user.has_perm(p) for p in permissions):
            raise exceptions.PermissionDenied()


def form_data(values: dict, prefix: str = "") -> QueryDict:
    """A JSON body as the POST data a page's form reads (lists become repeated keys; booleans 'on')."""
    q = QueryDict(mutable=True)
    for key, value in (values or {}).items():
        name = f"{prefix}-{key}" if prefix else str(key)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None:
                continue
            if isinstance(item, bool):
                if item:
                    q.appendlist(name, "on")
                continue
            q.appendlist(name, str(item))
    return q


def body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("请求内容应为 JSON 对象。")]})
    return data


def check_form(form, prefix: str = ""):
    """A page form's errors as DRF field errors (the same messages at the same inputs)."""
    if form.is_valid():
        return
    errors = {}
    for name, messages in form.errors.items():
        key = "non_field_errors" if name == "__all__" else (name[len(prefix) + 1:] if prefix and name.startswith(
            prefix + "-") else name)
        errors[key] = list(messages)
    raise exceptions.ValidationError(errors)
