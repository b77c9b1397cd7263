"""The user's own API tokens page (create, list, revoke): a page of the logged-in user, so the login
(with its second factor) protects the creation of every token. The secret is shown once."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from .. import queries, services
from ..forms import TokenForm
from ..models import ApiToken


class TokensView(LoginRequiredMixin, View):
    template_name = "api/tokens.html"

    def _render(self, request, form, secret=None, status=200):
        return render(request, self.template_name, {
            "form": form, "tokens": queries.tokens_of(request.user), "secret": secret,
        }, status=status)

    def get(self, request):
        return self._render(request, TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = services.create_token(request.user, form.cleaned_data["name"],
                                                       form.cleaned_data["expires_in_days"],
                                                       form.cleaned_data["read_only"])
            except services.TokenRefused as exc:
                for name, message in exc.field_errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                # Shown once, on this response only; never stored in clear, never in a redirect.
                response = self._render(request, TokenForm(), secret=secret)
                response["Cache-Control"] = "no-store"
                return response
        return self._render(request, form, status=400)


class RevokeTokenView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            token = services.revoke_token(request.user, pk)
        except ApiToken.DoesNotExist:
            raise Http404
        messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
        return redirect("api:tokens")
