"""`manage.py check --deploy`: the faces of the official documents (documents/fonts.py)."""

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
        elif not row["licensed"]:
            found.append(Warning(f"{row['label']} is set in the free fallback {row['family']}.",
                                 hint=f"Put the licensed face ({row['wanted']}) in DOCUMENT_FONT_DIR.",
                                 id="documents.W002"))
    return found
