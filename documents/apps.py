from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "文书"

    def ready(self):
        from . import signals  # noqa: F401  (marks documents stale when their sources change)
