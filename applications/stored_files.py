"""Serving and checking stored uploads (evidence and policy documents).

The SHA-256 recorded at upload is compared with the bytes about to be served: a mismatch (or a
missing file) is refused and recorded in the audit trail, never served. The file is served under the
name the uploader gave it but with the extension of the type its content shows (uploads.sniff), so
`report.html` that is a PDF downloads as `report.pdf` and a PNG named `payload.exe` as `payload.png`.
`verify_all()` checks every stored upload; a periodic task runs it (applications.tasks).
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from audit.services import REFUSED, record
from workflow.errors import Refused

from .models import ApplicationVersion, Evidence, LocalPolicy
from .uploads import SNIFF_BYTES, sniff

# The extensions a download may carry for each type the upload check accepts; the first is used when the
# uploader's name has none of them.
DOWNLOAD_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
UNKNOWN_TYPE = "application/octet-stream"
SPOOL_IN_MEMORY = 2 * 1024 * 1024


class StoredFileRefused(Refused):
    """The stored file is missing or no longer what was uploaded; the message is for the user."""


class StoredFileMissing(StoredFileRefused):
    pass


@dataclass
class ServedFile:
    handle: object  # a readable binary file positioned at its start
    filename: str
    content_type: str
    size: int


def download_name(original: str, content_type: str) -> str:
    """The uploader's name with an extension that matches the detected content type."""
    name = (original or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    allowed = DOWNLOAD_EXTENSIONS.get(content_type, (".bin",))
    stem, dot, extension = name.rpartition(".")
    if dot and stem:
        if "." + extension.lower() in allowed:
            return name
        name = stem
    return (name.rstrip(". ") or "file") + allowed[0]


def _read_hashing(stored_name: str):
    """A private copy of the stored bytes (so what is checked is what is served) and their SHA-256."""
    digest = hashlib.sha256()
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    with default_storage.open(stored_name, "rb") as source:
        for chunk in iter(lambda: source.read(65536), b""):
            digest.update(chunk)
            copy.write(chunk)
    size = copy.tell()
    copy.seek(0)
    return copy, digest.hexdigest(), size


def _refuse(obj, stored_name, expected, actual, reason, check, actor=None):
    record("file.integrity_failed", actor=actor, obj=obj, result=REFUSED, reason=reason, details={
        "stored_name": stored_name, "expected_sha256": expected, "actual_sha256": actual, "check": check})


def serve(stored_name: str, expected_sha256: str, original_name: str, *, obj, what: str, actor=None) -> ServedFile:
    """Read, check and describe one stored upload for download; audited as "file.download"."""
    try:
        handle, actual, size = _read_hashing(stored_name)
    except (FileNotFoundError, OSError):
        _refuse(obj, stored_name, expected_sha256, "", "missing", "download", actor)
        raise StoredFileMissing(_("文件已丢失，无法下载。此事已记录，请联系系统管理员。"))
    if not expected_sha256 or actual != expected_sha256:
        handle.close()
        _refuse(obj, stored_name, expected_sha256, actual, "SHA-256 mismatch" if expected_sha256 else
                "no SHA-256 recorded at upload", "download", actor)
        raise StoredFileRefused(_(
            "文件校验未通过（与上传时的摘要不符），为安全起见不予下载。此事已记录，请联系系统管理员。"))
    content_type = sniff(handle.read(SNIFF_BYTES)) or UNKNOWN_TYPE
    handle.seek(0)
    filename = download_name(original_name, content_type)
    record("file.download", actor=actor, obj=obj, details={"file": what, "content_type": content_type, "size": size})
    return ServedFile(handle, filename, content_type, size)


# ---------------------------------------------------------------------------------------------
# The periodic check


def _stored_uploads():
    """(stored name, expected SHA-256, the object it belongs to, what it is) for every stored upload."""
    for evidence in Evidence.objects.select_related("application").order_by("pk").iterator(chunk_size=500):
        yield evidence.file.name, evidence.sha256, evidence, "evidence"
    for policy in LocalPolicy.objects.exclude(document="").order_by("pk").iterator(chunk_size=500):
        yield policy.document.name, policy.document_sha256, policy, "policy_document"
    for version in ApplicationVersion.objects.order_by("pk").iterator(chunk_size=200):
        for entry in (version.snapshot or {}).get("policies", []):
            if entry.get("document_file"):
                yield entry["document_file"], entry.get("document_sha256", ""), version, "version_policy_document"


def verify_all() -> dict:
    """Check every stored upload against its recorded SHA-256; each mismatch or missing file is recorded
    (once per file and run) in the audit trail. Returns counts and the failures."""
    seen, failures = set(), []
    for stored_name, expected, obj, what in _stored_uploads():
        if (stored_name, expected) in seen:
            continue
        seen.add((stored_name, expected))
        try:
            handle, actual, _size = _read_hashing(stored_name)
            handle.close()
        except (FileNotFoundError, OSError):
            actual, reason = "", "missing"
        else:
            reason = "" if expected and actual == expected else (
                "SHA-256 mismatch" if expected else "no SHA-256 recorded at upload")
        if reason:
            _refuse(obj, stored_name, expected, actual, reason, "periodic")
            failures.append({"stored_name": stored_name, "what": what, "reason": reason})
    return {"checked": len(seen), "failed": failures}
