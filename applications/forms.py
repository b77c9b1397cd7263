"""Forms of the online application: one ModelForm per section, inline formsets for the rows."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MinValueValidator
from django.forms import inlineformset_factory, modelform_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import uploads
from .enums import EvidenceKind, PolicyStatus
from .models import Application, Evidence, FundingCommitment, LocalPolicy, PlanYear, end_of_day
from .sections import PLAN_YEARS, SECTION_BY_KEY
from .submission import ISSUED_POLICY_MESSAGE, figures_year_for, figures_year_message

YEAR_FIELDS = {"demo_park_since", "figures_year"}


def _helper():
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


# What is wrong with a typed number, said plainly: the field and the live eligibility panel show the
# same text (applications.views.panel_data), never "未填写" for something the user did type.
DECIMAL_MESSAGES = {
    "invalid": _("请只填写数字,例如 30 或 30.5,不要带单位或文字。"),
    "max_decimal_places": _("最多保留 %(max)s 位小数,例如 29.99。"),
    "max_digits": _("数值过大,请核对单位和数值。"),
    "max_whole_digits": _("数值过大,请核对单位和数值。"),
    "min_value": _("不能为负数。"),
}
INTEGER_MESSAGES = {
    "invalid": _("请填写整数,例如 40。"),
    "min_value": _("不能为负数。"),
    "max_value": _("数值过大,请核对。"),
}
YEAR_MESSAGES = {
    "invalid": _("请填写四位数的年份,例如 2025。"),
    "min_value": _("年份不能早于 1949 年。"),
    "max_value": _("数值过大,请核对。"),
}


class NumberTextInput(forms.TextInput):
    """A number typed as text. Signs and points typed in Chinese input modes ("−3", "－3", "29．9")
    are read as the ASCII ones, so the message says what is wrong with the number (negative, too many
    decimals) instead of calling it "not a number"."""

    SIGNS = str.maketrans({"\u2212": "-", "\uff0d": "-", "\uff0e": ".", "\u3002": "."})

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return value.translate(self.SIGNS).strip() if isinstance(value, str) else value


def _tune_fields(form):
    """Numbers are typed as text so that a wrong value reaches the server and comes back with a
    message at the field (a browser number input silently drops letters); never negative."""
    for name, field in form.fields.items():
        if isinstance(field, forms.DecimalField):
            field.validators.append(MinValueValidator(Decimal("0")))
            field.widget = NumberTextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
            field.error_messages.update(DECIMAL_MESSAGES)
        elif isinstance(field, forms.IntegerField):
            field.widget = NumberTextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
            field.error_messages.update(YEAR_MESSAGES if name in YEAR_FIELDS else INTEGER_MESSAGES)
        elif isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3
        if name in YEAR_FIELDS:
            field.min_value = 1949
            field.validators.append(MinValueValidator(1949))


class SectionForm(forms.ModelForm):
    """Every field is optional (a draft may be saved at any point); values must still be valid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tune_fields(self)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        this_year = timezone.localdate().year
        for name in YEAR_FIELDS & set(self.fields):
            value = cleaned.get(name)
            if value is not None and value > this_year:
                self.add_error(name, _("年份不能晚于今年(%(year)s)。") % {"year": this_year})
        year = cleaned.get("figures_year")
        if "figures_year" not in self.errors and year is not None and year != figures_year_for(self.instance.call):
            self.add_error("figures_year", figures_year_message(self.instance.call))
        return cleaned


_section_forms: dict[str, type[forms.ModelForm]] = {}


def section_form_class(key: str) -> type[forms.ModelForm] | None:
    section = SECTION_BY_KEY[key]
    if not section.fields:
        return None
    if key not in _section_forms:
        _section_forms[key] = modelform_factory(Application, form=SectionForm, fields=section.fields)
    return _section_forms[key]


class RowForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _tune_fields(self)
        if "year" in self.fields:
            self.fields["year"].disabled = True
            self.fields["year"].widget.attrs["readonly"] = True


class PolicyForm(RowForm):
    upload = forms.FileField(
        label=_("政策文件(PDF、JPEG 或 PNG)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        model = LocalPolicy
        fields = ("status", "title", "document_number", "issued_on")
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            uploads.validate_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        has_document = bool(cleaned.get("upload") or self.instance.document)
        if (cleaned.get("status") == PolicyStatus.ISSUED and not (cleaned.get("document_number") or "").strip()
                and not has_document and "upload" not in self.errors):
            self.add_error("document_number", ISSUED_POLICY_MESSAGE)
        return cleaned

    def save(self, commit=True):
        policy = super().save(commit=False)
        upload = self.cleaned_data.get("upload")
        if upload:
            uploads.store_policy_document(policy, upload)
        if commit:
            policy.save()
        return policy


# Django builds up to max_num + 1000 forms from a tampered TOTAL_FORMS: one POST of "99999" cost about
# 30 s of rendering. No application lists anywhere near this many policies.
MAX_POLICIES = 100


def policy_formset_class():
    return inlineformset_factory(Application, LocalPolicy, form=PolicyForm, extra=1, can_delete=True,
                                 max_num=MAX_POLICIES, absolute_max=MAX_POLICIES)


class PlanYearForm(RowForm):
    class Meta:
        model = PlanYear
        fields = ("year", "milestones", "output_target", "patented_sales_target", "rd_target", "patents_target")


class FundingForm(RowForm):
    class Meta:
        model = FundingCommitment
        fields = ("year", "amount_wan")


def _missing_years(application, existing_years):
    first = application.call.year
    return [{"year": first + i} for i in range(PLAN_YEARS) if first + i not in existing_years]


def year_formset(model, form, application, data=None, can_delete=False):
    """Five rows, one per plan year; rows not yet saved come pre-labelled with their year."""
    existing = set(model.objects.filter(application=application).values_list("year", flat=True))
    initial = _missing_years(application, existing)
    formset_class = inlineformset_factory(
        Application, model, form=form, extra=len(initial), max_num=PLAN_YEARS, can_delete=can_delete,
    )
    return formset_class(data=data, instance=application, initial=initial, prefix=model._meta.model_name)


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    title = forms.CharField(label=_("说明"), max_length=200, required=False)
    file = forms.FileField(
        label=_("文件(PDF、JPEG 或 PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        uploads.validate_upload(upload)
        return upload


class DeadlineField(forms.SplitDateTimeField):
    """A deadline typed as a date, with an optional time: a date alone covers the whole of that day
    (the guide's "2013年5月10日前" is met by materials sent on the 10th), so it means 23:59:59."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        kwargs.setdefault("help_text", _("只填日期时,截止到当日 23:59:59。"))
        super().__init__(*args, **kwargs)
        self.fields[1].required = False

    def compress(self, data_list):
        if data_list and data_list[0] and data_list[1] is None:
            return end_of_day(data_list[0])
        return super().compress(data_list)


class NewApplicationForm(forms.Form):
    call = forms.ModelChoiceField(label=_("申报批次"), queryset=None, empty_label=None)

    def __init__(self, *args, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls
        self.helper = _helper()


__all__ = ["Evidence", "NewApplicationForm"]
