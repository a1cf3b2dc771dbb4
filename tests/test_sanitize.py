"""The sanitiser against its specification, over every code point: what is escaped, how, and what is left alone.

Escaped: the C0 and C1 controls and DEL (general category Cc), the line and paragraph separators (Zl, Zp), the
bidi embeddings, overrides and isolates (their bidi classes), and lone surrogates (Cs). C0 controls read `^X` (the
code point plus 0x40: ESC is `^[`), DEL `^?`, the rest `<U+XXXX>`. Every other code point passes unchanged, the
neighbours of each range included (space, `~`, no-break space, U+2027, U+202F, U+2065, U+206A, U+D7FF, U+E000)."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from facts_cli.sanitize import sanitize

EXPLICIT_FORMATTING = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def escaped(code_point: int) -> str | None:
    """What the specification says a code point becomes, or None when it passes unchanged."""
    char = chr(code_point)
    category = unicodedata.category(char)
    if category not in ("Cc", "Zl", "Zp", "Cs") and unicodedata.bidirectional(char) not in EXPLICIT_FORMATTING:
        return None
    if code_point < 0x20:
        return "^" + chr(code_point + 0x40)
    if code_point == 0x7F:
        return "^?"
    return f"<U+{code_point:04X}>"


ESCAPED = [cp for cp in range(sys.maxunicode + 1) if escaped(cp) is not None]
RANGES = [(0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x202E), (0x2066, 0x2069), (0xD800, 0xDFFF)]


def test_the_specification_is_these_ranges():
    """What the Unicode database says the escaped classes are (so the test below is not circular)."""
    expected = [cp for first, last in RANGES for cp in range(first, last + 1)]
    assert expected == ESCAPED


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_every_code_point_of_each_range_is_escaped_and_its_neighbours_are_not(first, last):
    for code_point in range(first, last + 1):
        assert sanitize(chr(code_point)) == escaped(code_point), hex(code_point)
        assert sanitize(f"a{chr(code_point)}b") == f"a{escaped(code_point)}b", hex(code_point)
    for neighbour in (first - 1, last + 1):
        if neighbour >= 0 and escaped(neighbour) is None:
            assert sanitize(chr(neighbour)) == chr(neighbour), hex(neighbour)


@pytest.mark.parametrize(
    ("code_point", "shown"),
    [
        (0x00, "^@"),
        (0x07, "^G"),
        (0x09, "^I"),
        (0x0A, "^J"),
        (0x1B, "^["),
        (0x1F, "^_"),
        (0x7F, "^?"),
        (0x80, "<U+0080>"),
        (0x9B, "<U+009B>"),
        (0x9F, "<U+009F>"),
        (0x2028, "<U+2028>"),
        (0x2029, "<U+2029>"),
        (0x202A, "<U+202A>"),
        (0x202E, "<U+202E>"),
        (0x2066, "<U+2066>"),
        (0x2069, "<U+2069>"),
        (0xD800, "<U+D800>"),
        (0xDFFF, "<U+DFFF>"),
    ],
)
def test_how_escapes_read(code_point, shown):
    assert sanitize(chr(code_point)) == shown


def test_every_other_code_point_passes_unchanged():
    others = "".join(chr(cp) for cp in range(sys.maxunicode + 1) if escaped(cp) is None)
    assert sanitize(others) == others
    assert sanitize(others, keep_newlines=True) == others


def test_keeping_newlines_keeps_line_feeds_only():
    for code_point in ESCAPED:
        expected = "\n" if code_point == 0x0A else escaped(code_point)
        assert sanitize(chr(code_point), keep_newlines=True) == expected, hex(code_point)
    assert sanitize("a\nb\r\n") == "a^Jb^M^J"
    assert sanitize("a\nb\r\n", keep_newlines=True) == "a\nb^M\n"
