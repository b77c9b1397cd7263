"""`manage.py check --deploy`: every role of the official documents has a face (documents/fonts.py). A free
fallback is a valid setup, so only a missing face warns; `manage.py document_fonts` says which face each
role got."""

from django.core.checks import Warning, register

from . import fonts


@register("documents", deploy=True)
def document_fonts(app_configs, **kwargs):
    found = []
    for row in fonts.report():
        if not row["installed"]:
            found.append(Warning(f"No face for {row['label']}: {row['family']} is not installed.",
                                 hint="Install fonts-noto-cjk and fonts-arphic-ukai (scripts/setup.sh).",
                                 id="documents.W001"))
    return found
