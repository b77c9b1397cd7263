from .queries import unread_count


def inbox(request):
    """The unread count shown in the navigation bar."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
