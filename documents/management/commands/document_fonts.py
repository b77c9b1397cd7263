"""Which face each role of the official documents gets on this machine (documents/fonts.py), checked by
rendering one line per role and reading the embedded fonts back from the PDF."""

from io import BytesIO

import pdfplumber
from django.core.management.base import BaseCommand

from documents import fonts
from documents.engine import render_pdf


def embedded_faces() -> dict[str, str]:
    """role key -> the font embedded for that role's sample line."""
    faces = fonts.stylesheet_fonts()
    roles = [{"label": r.label, **faces[r.key]} for r in fonts.ROLES]
    pdf = render_pdf("documents/font_check.html", {"roles": roles})
    faces = {}
    with pdfplumber.open(BytesIO(pdf)) as doc:
        for char in doc.pages[0].chars:
            role = next((r.key for r in fonts.ROLES if char["text"] == r.label[0]), None)
            if role and role not in faces:
                faces[role] = char["fontname"].split("+", 1)[-1]
    return faces


class Command(BaseCommand):
    help = "Say which face each role of the official documents (仿宋, 小标宋, 黑体, 楷体, 宋体) gets here."

    def handle(self, *args, **options):
        directory = fonts.configure_fontconfig()
        self.stdout.write(f"DOCUMENT_FONT_DIR: {fonts.font_dir()} ({'used' if directory else 'absent'})")
        embedded = embedded_faces()
        for row in fonts.report():
            state = "licensed" if row["licensed"] else f"fallback (install {row['wanted']} to use it)"
            if not row["installed"]:
                state = "MISSING: no such face installed"
            self.stdout.write(f"{row['role']:<13} {row['label']:<20} {row['family']:<22} "
                              f"embedded as {embedded.get(row['role'], '?'):<28} {state}")
