"""Reads of documents: a document by its id (whether the user may see it is portal.view_document)."""

from django.shortcuts import get_object_or_404

from .models import Document


def document(pk) -> Document:
    return get_object_or_404(Document.objects.select_related("application", "call"), pk=pk)
