"""Checking and storing uploaded files (evidence and policy documents).

The type is decided by the file's first bytes, never by its name or the browser's claim; the
stored name is random (models.unguessable_upload_path) and the original name lives only in the
database. Files are served only by views that check the viewer may see the application.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import EvidenceKind
from .models import Evidence

# (magic bytes, content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSION_BY_TYPE = {content_type: ext for _magic, content_type, ext in SIGNATURES}
SNIFF_BYTES = 16


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def sniff(head: bytes) -> str | None:
    """The content type the leading bytes prove, or None for anything else."""
    for magic, content_type, _ext in SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head or b""


def validate_upload(upload) -> str:
    """Raise ValidationError (a message for the user) or return the detected content type."""
    if upload is None:
        raise ValidationError(_("请选择要上传的文件。"), code="required")
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("文件为空,请重新选择。"), code="empty")
    limit = max_bytes()
    if size > limit:
        raise ValidationError(
            _("文件过大(%(size)s),单个文件不得超过 %(limit)s。") % {
                "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = sniff(_head(upload))
    if content_type is None:
        raise ValidationError(_("只能上传 PDF、JPEG 或 PNG 文件(按文件内容识别,与文件名无关)。"), code="type")
    return content_type


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _original_name(upload) -> str:
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:255] or "file"


def _storage_name(upload, content_type) -> str:
    # The stored suffix comes from the detected type, so a renamed file never keeps a misleading one.
    return "file" + EXTENSION_BY_TYPE[content_type]


def store_evidence(application, kind, upload, user, title=""):
    """Validate and store one evidence file. A new file of a single-file kind replaces (withdraws)
    the current one; rows are never deleted so frozen versions keep their files."""
    content_type = validate_upload(upload)
    digest = sha256_of(upload)
    original = _original_name(upload)
    evidence = Evidence(
        application=application, kind=kind, title=(title or "")[:200], original_name=original,
        content_type=content_type, size=upload.size, sha256=digest, uploaded_by=user,
    )
    evidence.file.save(_storage_name(upload, content_type), upload, save=False)
    evidence.save()
    if kind != EvidenceKind.OTHER:
        (application.evidence.filter(kind=kind, withdrawn_at__isnull=True).exclude(pk=evidence.pk)
         .update(withdrawn_at=timezone.now()))
    return evidence


def withdraw_evidence(evidence) -> None:
    if evidence.withdrawn_at is None:
        evidence.withdrawn_at = timezone.now()
        evidence.save(update_fields=["withdrawn_at"])


def store_policy_document(policy, upload) -> None:
    """Attach a validated document to a LocalPolicy. The earlier file stays in storage because a
    frozen version may still point at it."""
    content_type = validate_upload(upload)
    policy.document_sha256 = sha256_of(upload)
    policy.document_name = _original_name(upload)
    policy.document.save(_storage_name(upload, content_type), upload, save=False)
