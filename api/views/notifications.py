"""The user's own inbox: list and mark read (notifications.queries / services)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from notifications import queries, services
from notifications.models import Notification

from .. import serializers as s
from ..pagination import Cursor
from ..schema import summary
from .base import PortalView


class NotificationList(PortalView):
    serializer_class = s.NotificationSerializer
    pagination_class = Cursor

    @extend_schema(summary=summary("我的消息", "My notifications"), tags=["notifications"],
                   responses=s.NotificationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(queries.inbox(request.user))
        return self.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class MarkRead(PortalView):
    serializer_class = s.NotificationSerializer

    @extend_schema(summary=summary("标记为已读", "Mark read"), request=None, tags=["notifications"])
    def post(self, request, pk):
        try:
            note = services.mark_read(request.user, pk)
        except Notification.DoesNotExist:
            raise Http404
        return Response(s.NotificationSerializer(note).data)


class MarkAllRead(PortalView):
    serializer_class = s.CountSerializer

    @extend_schema(summary=summary("全部标记为已读", "Mark all read"), request=None, tags=["notifications"])
    def post(self, request):
        return Response({"updated": services.mark_all_read(request.user)})
