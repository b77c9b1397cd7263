from django import forms
from django.utils.translation import gettext_lazy as _

from .services import LIFETIMES


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64, help_text=_("用途，例如“省统计系统同步”。"))
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"), coerce=int, initial=90,
        choices=[(d, _("%(n)s 天") % {"n": d}) for d in LIFETIMES])
    read_only = forms.BooleanField(label=_("只读（只能查询，不能提交、修改）"), required=False, initial=True)
