"""The 发文字号 registry (GB/T 9704-2012 7.2.4): each issuing organisation's 机关代字
(Organisation.document_code), a serial per year, the form 代字〔YYYY〕N号 (full-width 六角括号, the serial
without leading zeros or 第). The portal proposes the next number; a number an issuer already used is
refused here and by the database (review.models.DocumentNumber).

Transitions that issue a letter take the number as the `document_number` input: `check_number` is their
guard and `register_number` their effect, so the page, the API and the demo meet the same rule.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationKind
from accounts.models import Organisation
from workflow.machine import TransitionError

from .models import DocumentNumber

LEFT, RIGHT = "\u3014", "\u3015"  # 〔 〕
# Brackets people type for 〔〕 (ASCII, full-width square, lenticular, full-width round): read as 〔〕.
_BRACKETS = str.maketrans({"[": LEFT, "]": RIGHT, "\uff3b": LEFT, "\uff3d": RIGHT, "\u3010": LEFT,
                           "\u3011": RIGHT, "(": LEFT, ")": RIGHT, "\uff08": LEFT, "\uff09": RIGHT})
FORM = re.compile(rf"^(?P<code>[^{LEFT}{RIGHT}\s]+){LEFT}(?P<year>\d{{4}}){RIGHT}(?P<serial>[1-9]\d{{0,5}})\u53f7$")

# Which organisation issues the letter of each transition: the actor's own (a bureau recommends, the
# national office decides).
ISSUING_KINDS = (OrganisationKind.NATIONAL_OFFICE, OrganisationKind.PROVINCIAL_BUREAU)


def issuer_of(user) -> Organisation | None:
    org = user.organisation if getattr(user, "organisation_id", None) else None
    return org if org is not None and org.kind in ISSUING_KINDS else None


def this_year() -> int:
    return timezone.localdate().year


def format_number(code: str, year: int, serial: int) -> str:
    return f"{code}{LEFT}{year}{RIGHT}{serial}\u53f7"


def with_number(transition, extra: dict, user) -> dict:
    """The inputs of a step that issues a document, with the user's next number where none was typed
    (what its confirmation shows and posts back)."""
    extra = dict(extra)
    if "document_number" in transition.inputs and not extra.get("document_number"):
        extra["document_number"] = proposed(issuer_of(user))
    return extra


def proposed(issuer: Organisation | None, year: int | None = None) -> str:
    """The issuer's next number this year ('' when it has no 机关代字 yet)."""
    if issuer is None or not issuer.document_code:
        return ""
    year = year or this_year()
    last = DocumentNumber.objects.filter(issuer=issuer, year=year).aggregate(m=Max("serial"))["m"] or 0
    return format_number(issuer.document_code, year, last + 1)


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", (text or "").translate(_BRACKETS))


def problems(issuer: Organisation | None, text: str) -> list[str]:
    """Why this number cannot be given by this issuer now (empty: it can)."""
    number = normalise(text)
    if issuer is None:
        return [str(_("您所在的机构不能发文。"))]
    if not issuer.document_code:
        return [str(_("“%(org)s”尚未设置机关代字,请系统管理员在机构设置中填写。") % {"org": issuer.name})]
    match = FORM.match(number)
    example = proposed(issuer)
    if match is None:
        return [str(_("发文字号应为“机关代字〔年份〕序号号”的形式,如“%(example)s”。") % {"example": example})]
    if match["code"] != issuer.document_code:
        return [str(_("机关代字应为“%(code)s”。") % {"code": issuer.document_code})]
    if int(match["year"]) != this_year():
        return [str(_("年份应为发文年份%(year)s。") % {"year": this_year()})]
    if DocumentNumber.objects.filter(issuer=issuer, year=int(match["year"]), serial=int(match["serial"])).exists():
        return [str(_("发文字号“%(number)s”已经使用,下一个可用的是“%(next)s”。") % {"number": number, "next": example})]
    return []


def check_number(application, user, context=None):
    """Guard: a number typed for the step must be well formed and unused (a blank one is proposed)."""
    text = (context or {}).get("document_number")
    if not text:
        return []
    found = problems(issuer_of(user), text)
    return {"document_number": found[0]} if found else []


def register_number(application, user, transition, context):
    """Effect: register the step's number (the proposed one when none was typed) and put it in the
    context, where the effects after it (record_approval, record_provincial_review) and the log read it.
    A number taken meanwhile by another letter is refused like a typed duplicate."""
    issuer = issuer_of(user)
    number = normalise(context.get("document_number")) or proposed(issuer)
    found = problems(issuer, number)
    if found:
        raise TransitionError(found[0], {"document_number": found[0]})
    match = FORM.match(number)
    try:
        with transaction.atomic():
            DocumentNumber.objects.create(issuer=issuer, year=int(match["year"]), serial=int(match["serial"]),
                                          number=number, transition=transition.name, application=application,
                                          issued_by=user)
    except IntegrityError:
        message = str(_("发文字号“%(number)s”刚被使用,请改用“%(next)s”。") % {"number": number, "next": proposed(issuer)})
        raise TransitionError(message, {"document_number": message})
    context["document_number"] = number
