"""Reads of documents: a document by its id (whether the user may see it is portal.view_document)."""

from django.shortcuts import get_object_or_404

from .models import EXPORT_KIND_VALUES, Document


def document(pk) -> Document:
    return get_object_or_404(Document.objects.select_related("application", "call"), pk=pk)


def exports_of(user):
    """The user's own exports, newest first."""
    return Document.objects.filter(requested_by=user, kind__in=EXPORT_KIND_VALUES).order_by("-created_at", "-pk")
