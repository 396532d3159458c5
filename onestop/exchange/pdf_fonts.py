"""Fonts for the PDFs the platform prints: every name, rare characters included.

A person's name may use any CJK ideograph, including CJK Unified Ideographs Extension A
(U+3400-4DBF, e.g. 䶮) and Extension B (U+20000-2A6DF, e.g. 𠮷, 𪚥); GB 18030-2022 requires
them. The standard CJK fonts PDF readers supply (STSong-Light) stop at the BMP, so the PDFs
embed (subset) two TrueType fonts instead:

- HanaMin A (花園明朝 A): the BMP, Extension A included;
- HanaMin B: the supplementary ideographic plane (Extensions B to F).

Both are the Hanazono fonts (SIL Open Font License 1.1, or the Hanazono font licence), from
the Debian package ``fonts-hanazono``; ``ONESTOP_PDF_FONTS`` (a list of TrueType paths, the
BMP font first) names others. reportlab embeds only the glyphs a document uses, so a PDF
grows by a few kilobytes, not by the fonts' 50 MB.

Text is split into runs, each drawn in the first font whose character map has every
character of the run. Without any of these fonts (a bare development machine) the PDFs fall
back to STSong-Light, which loses Extension B characters; ``fonts_ready()`` says which.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

FALLBACK = "STSong-Light"
DEFAULT_PATHS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
)


_reportlab_cmap = getattr(ttfonts.makeToUnicodeCMap, "__wrapped__", ttfonts.makeToUnicodeCMap)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with code points past U+FFFF written as UTF-16BE
    surrogate pairs as the PDF standard requires (ISO 32000-1, 9.10.3): reportlab writes
    ``<20BB7>``, which readers reject, so copying or searching 𠮷 would lose it."""
    lines = _reportlab_cmap(fontname, subset).split("\n")
    start = lines.index(f"{len(subset)} beginbfchar") + 1
    for index, code in enumerate(subset):
        lines[start + index] = f"<{index:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>"
    return "\n".join(lines)


_to_unicode_cmap.__wrapped__ = _reportlab_cmap  # type: ignore[attr-defined]
ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@dataclass(frozen=True)
class Face:
    name: str  # the reportlab font name
    path: str
    chars: frozenset[int]  # code points the font has a glyph for


_lock = threading.Lock()
_faces: tuple[Face, ...] | None = None


def _paths() -> list[str]:
    configured = getattr(settings, "ONESTOP_PDF_FONTS", None)
    return list(configured) if configured else list(DEFAULT_PATHS)


def faces() -> tuple[Face, ...]:
    """The embedded fonts in order of preference, registered with reportlab once per
    process; empty when none is installed."""
    global _faces
    with _lock:
        if _faces is None:
            found: list[Face] = []
            for index, path in enumerate(_paths()):
                if not Path(path).is_file():
                    continue
                name = f"OnestopCJK{index}"
                font = TTFont(name, path)
                pdfmetrics.registerFont(font)
                found.append(Face(name, path, frozenset(font.face.charToGlyph)))
            if not found:
                logger.warning(
                    "No CJK TrueType font found (%s): PDFs fall back to %s and lose "
                    "CJK Extension B characters. Install fonts-hanazono.",
                    ", ".join(_paths()),
                    FALLBACK,
                )
                pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
            _faces = tuple(found)
        return _faces


def fonts_ready() -> bool:
    """Whether the embedded fonts are installed (so that every name renders)."""
    return bool(faces())


def base_font() -> str:
    """The font name for text in the BMP (table cells, headings)."""
    found = faces()
    return found[0].name if found else FALLBACK


def runs(text: str) -> Iterator[tuple[str, str]]:
    """``text`` split into (font name, run): each run in the first font that has a glyph
    for its characters; a character no font has stays in the first font (its .notdef)."""
    found = faces()
    if not found:
        if text:
            yield FALLBACK, text
        return
    current, buffer = "", list[str]()
    for char in text:
        code = ord(char)
        name = next((f.name for f in found if code in f.chars), found[0].name)
        if name != current and buffer:
            yield current, "".join(buffer)
            buffer = []
        current = name
        buffer.append(char)
    if buffer:
        yield current, "".join(buffer)


def draw(canvas: Canvas, x: float, y: float, text: str, size: float) -> None:
    """Draw ``text`` at (x, y) in ``size`` points, switching fonts where a run needs it."""
    for name, run in runs(text):
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += canvas.stringWidth(run, name, size)


def markup(text: str) -> str:
    """``text`` as reportlab paragraph markup: XML-escaped (an ``&`` in a URL stays an
    ``&``), with runs that need another font wrapped in ``<font>``."""
    base = base_font()
    return "".join(
        escape(run) if name == base else f'<font name="{name}">{escape(run)}</font>'
        for name, run in runs(text)
    )
