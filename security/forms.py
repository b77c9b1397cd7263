from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"), max_length=32, strip=True,
        help_text=_("身份验证器上当前显示的 6 位数字；手机不在身边时，可输入一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text",
                                      "spellcheck": "false"}))


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"), max_length=16, strip=True,
        help_text=_("扫描二维码（或手动输入密钥）后，身份验证器显示的 6 位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))
