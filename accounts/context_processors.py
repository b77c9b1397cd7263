def workspace(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from notifications.domain import unread_count

    return {"unread_notifications": unread_count(user)}
