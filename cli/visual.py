"""Right-to-left text drawn in visual order by Rich: `BidiText`, a renderable that wraps, shapes and reorders
at the width its cell really has. Imported by cli/render.py for visual mode only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from .bidi import display, is_rtl, longest_word, shape, wrap

_PIECES = re.compile(r"\s+|\S+")


@lru_cache(maxsize=8192)
def _piece_width(piece: str) -> int:
    return cell_len(shape(piece))


def shaped_width(text: str) -> int:
    """Cells a logical line takes once shaped (a lam-alef ligature is one cell for two letters).

    Words are shaped one by one, as `display` does, so a word is shaped once however many lines are tried.
    """
    return sum(_piece_width(piece) for piece in _PIECES.findall(text))


class BidiText:
    """Text for a terminal that does not reorder: wrapped in logical order to the width its cell has, then each
    line shaped and reordered with the paragraph direction of the whole text, and right-aligned when that
    direction is right to left. Styles follow their characters."""

    def __init__(self, text: Text, rtl: bool | None = None) -> None:
        self.text = text
        self.rtl = is_rtl(text.plain) if rtl is None else rtl

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest = max((shaped_width(paragraph) for paragraph in plain.split("\n")), default=0)
        return Measurement(min(longest_word(plain, shaped_width), options.max_width), min(widest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        plain = self.text.plain
        styles = self._styles(console)
        offset = 0
        for paragraph in plain.split("\n"):
            cursor = 0
            for line in wrap(paragraph, width, shaped_width):
                start = paragraph.find(line, cursor) if line else cursor
                cursor = start + len(line)
                visual, origins = display(line, self.rtl)
                padding = Segment(" " * max(width - cell_len(visual), 0))
                if self.rtl:
                    yield padding
                yield from _styled(visual, [styles[offset + start + origin] for origin in origins])
                if not self.rtl:
                    yield padding
                yield Segment.line()
            offset += len(paragraph) + 1

    def _styles(self, console: Console) -> list[Style]:
        """The style of each character: what `Text.get_style_at_offset` gives, for all of them in one pass over
        the spans (asking character by character cost a tenth of drawing a visual listing)."""
        text = self.text
        base = console.get_style(text.style, default="") if text.style else Style.null()
        styles = [base] * len(text.plain)
        for start, end, style in text.spans:
            extra = console.get_style(style, default="")
            for offset in range(start, min(end, len(styles))):
                styles[offset] = styles[offset] + extra
        return styles


def _styled(chars: str, styles: Sequence[Style]) -> Iterable[Segment]:
    """Segments of `chars`, one per run of the same style."""
    start = 0
    for index in range(1, len(chars) + 1):
        if index == len(chars) or styles[index] != styles[start]:
            yield Segment(chars[start:index], styles[start])
            start = index
