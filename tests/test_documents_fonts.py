"""Fonts by role: a licensed face put in DOCUMENT_FONT_DIR wins over the free fallback, and the check
says which face each role got (read back from a rendered PDF)."""

import os
import subprocess
import sys
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from documents import fonts

ROOT = Path(__file__).resolve().parent.parent


def licensed_face(path: Path, family: str, text: str):
    """A tiny TrueType face named like a licensed one, drawing every character of `text` as a box."""
    pen = TTGlyphPen(None)
    pen.moveTo((50, -100))
    pen.lineTo((50, 800))
    pen.lineTo((950, 800))
    pen.lineTo((950, -100))
    pen.closePath()
    box = pen.glyph()
    empty = TTGlyphPen(None).glyph()
    names = [".notdef", "box"]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): "box" for c in set(text)})
    builder.setupGlyf({".notdef": empty, "box": box})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 50)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))


def test_every_role_has_a_face_and_the_fallbacks_are_the_free_ones():
    rows = {row["role"]: row for row in fonts.report()}
    assert set(rows) == {"fangsong", "xiaobiaosong", "heiti", "kaiti", "songti"}
    assert all(row["installed"] for row in rows.values()), rows
    if not rows["heiti"]["licensed"]:
        assert rows["heiti"]["family"] == "Noto Sans CJK SC"  # 黑体 no longer falls back to the serif face
    if not rows["kaiti"]["licensed"]:
        assert rows["kaiti"]["family"] == "AR PL UKai CN"


def test_a_licensed_face_in_the_font_directory_wins(tmp_path):
    fangsong = next(r for r in fonts.ROLES if r.key == "fangsong")
    licensed_face(tmp_path / "fangsong.ttf", "FZFangSong-Z02S", fangsong.label)
    env = {**os.environ, "DEBUG": "1", "DOCUMENT_FONT_DIR": str(tmp_path)}
    env.pop("FONTCONFIG_FILE", None)
    out = subprocess.run([sys.executable, "manage.py", "document_fonts"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("fangsong"))
    assert "FZFangSong-Z02S" in line and "embedded as FZFangSong-Z02S" in line and "licensed" in line, out
    heiti = next(line for line in out.splitlines() if line.startswith("heiti"))
    assert "embedded as Noto-Sans-CJK-SC" in heiti, out
