from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from . import tables  # noqa: PLC0415 - the registry must be ready

        tables.watch_all_connections()
