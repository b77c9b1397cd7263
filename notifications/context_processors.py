from pagecache.tables import ignoring

from .queries import unread_count


def inbox(request):
    """The unread count shown in the navigation bar (base.html only: never a dependency of a cached page's
    content, which is why it is read outside the page cache's watch)."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    with ignoring():
        return {"unread_notifications": unread_count(user)}
