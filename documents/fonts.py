"""The faces of official documents, by role (GB/T 9704-2012: 仿宋 body in 3号, 小标宋 title in 2号, 黑体
and 楷体 for the first and second heading levels, 宋体 page numbers), and which face each role gets
on this machine.

An office that licenses the official faces (e.g. 方正仿宋_GBK, 方正小标宋简体, 方正黑体, 方正楷体)
puts the font files in DOCUMENT_FONT_DIR (setting and environment variable, README); they are given
to fontconfig at start-up and win over the free fallbacks installed from Debian: Noto Serif CJK SC
(fonts-noto-cjk) for 仿宋, 小标宋 and 宋体, Noto Sans CJK SC for 黑体 and AR PL UKai (fonts-arphic-ukai)
for 楷体. `python manage.py document_fonts` says which face each role got.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    licensed: tuple[str, ...]  # family names of the official faces, best first
    fallback: str  # the free face from Debian
    fallback_weight: int  # a fallback without a heavy cut is set bold (小标宋 from a Song face)


ROLES = (
    Role("fangsong", "\u4eff\u5b8b\uff08\u6b63\u6587\uff09",
         ("FZFangSong-Z02S", "\u65b9\u6b63\u4eff\u5b8b_GBK", "\u65b9\u6b63\u4eff\u5b8b\u7b80\u4f53", "FangSong_GB2312",
          "\u4eff\u5b8b_GB2312", "FangSong", "\u4eff\u5b8b", "STFangsong"), "Noto Serif CJK SC", 400),
    Role("xiaobiaosong", "\u5c0f\u6807\u5b8b\uff08\u6807\u9898\u3001\u53d1\u6587\u673a\u5173\u6807\u5fd7\uff09",
         ("FZXiaoBiaoSong-B05S", "\u65b9\u6b63\u5c0f\u6807\u5b8b\u7b80\u4f53", "FZXiaoBiaoSong-B05",
          "\u65b9\u6b63\u5c0f\u6807\u5b8b_GBK"), "Noto Serif CJK SC", 700),
    Role("heiti", "\u9ed1\u4f53\uff08\u4e00\u7ea7\u6807\u9898\u3001\u8868\u5934\uff09",
         ("FZHei-B01S", "\u65b9\u6b63\u9ed1\u4f53\u7b80\u4f53", "\u65b9\u6b63\u9ed1\u4f53_GBK", "SimHei",
          "\u9ed1\u4f53"), "Noto Sans CJK SC", 400),
    Role("kaiti", "\u6977\u4f53\uff08\u4e8c\u7ea7\u6807\u9898\uff09",
         ("FZKai-Z03S", "\u65b9\u6b63\u6977\u4f53\u7b80\u4f53", "\u65b9\u6b63\u6977\u4f53_GBK", "KaiTi_GB2312",
          "\u6977\u4f53_GB2312", "KaiTi", "\u6977\u4f53", "STKaiti"), "AR PL UKai CN", 400),
    Role("songti", "\u5b8b\u4f53\uff08\u9875\u7801\uff09",
         ("FZShuSong-Z01S", "\u65b9\u6b63\u4e66\u5b8b\u7b80\u4f53", "SimSun", "\u5b8b\u4f53"), "Noto Serif CJK SC",
         400),
)
# Every stack ends with a face fonts-noto-cjk always has, so no character falls to a Latin face.
LAST_RESORT = "Noto Serif CJK SC"


def font_dir() -> Path | None:
    configured = getattr(settings, "DOCUMENT_FONT_DIR", "")
    return Path(configured) if configured else None


@functools.cache
def configure_fontconfig() -> str | None:
    """Give fontconfig the operator's font directory (once per process, before the first rendering):
    a fonts.conf that includes the system's and adds the directory, named by FONTCONFIG_FILE, which
    WeasyPrint's fontconfig reads. Returns the directory used, or None."""
    directory = font_dir()
    if directory is None or not directory.is_dir():
        return None
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    conf = Path(tempfile.mkdtemp(prefix="portal-fonts-")) / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{escape(system)}</include>\n  <dir>{escape(str(directory))}</dir>\n'
        "</fontconfig>\n", encoding="utf-8")
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return str(directory)


@functools.cache
def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows (with the operator's directory), from `fc-list`."""
    configure_fontconfig()
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30,  # noqa: S603
                            check=False).stdout
    # fc-list escapes '-', ',' and ':' in names with a backslash.
    names = (name.strip() for line in listed.splitlines() for name in re.split(r"(?<!\\),", line))
    return frozenset(re.sub(r"\\(.)", r"\1", name) for name in names if name)


def face(role: Role) -> tuple[str, int, bool]:
    """(family, weight, licensed) that the role gets here."""
    families = installed_families()
    for family in role.licensed:
        if family in families:
            return family, 400, True
    return role.fallback, role.fallback_weight, False


def _quoted(names):
    return ", ".join('"' + n.replace('"', "") + '"' for n in names)


@functools.cache
def stylesheet_fonts() -> dict[str, dict]:
    """For the documents' stylesheet: per role the CSS font-family stack (the face chosen here first,
    then the fallback and the last resort) and the weight to set it in."""
    out = {}
    for role in ROLES:
        family, weight, _licensed = face(role)
        stack = list(dict.fromkeys([family, role.fallback, LAST_RESORT]))
        out[role.key] = {"family": _quoted(stack) + ", serif", "weight": weight}
    return out


def report() -> list[dict]:
    """Which face each role got, for the management command and the system check."""
    rows = []
    for role in ROLES:
        family, weight, licensed = face(role)
        rows.append({"role": role.key, "label": role.label, "family": family, "weight": weight,
                     "licensed": licensed, "installed": family in installed_families(),
                     "wanted": role.licensed[0]})
    return rows
