"""Visual mode draws what it measures: no character of a line is lost to a column it was said to fit, whatever
invisible characters (ZWJ, ZWNJ, variation selectors) or combining marks it holds; and a combining mark is drawn
after its base in a right-to-left run (rule L3), as FriBidi draws it."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter

import pytest
from conftest import fribidi
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from facts_cli.bidi import _INVISIBLE, display, shape_with_origins
from facts_cli.visual import BidiText

ZWJ, ZWNJ, VS16 = "\u200d", "\u200c", "\ufe0f"
PIECES = [
    *"روسيا",
    "لا",
    "ب",
    *"abc",
    "7",
    ZWJ,
    ZWNJ,
    VS16,
    "\u2764",  # a heart: one cell, two with VS16
    "\U0001f468",
    "\U0001f469",
    "\U0001f3fd",  # a skin-tone modifier
    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England's flag: 🏴 and tags
    "ש",
    "\u05b8",  # a Hebrew point (qamats)
    "\u0301",  # a combining acute accent
    "\u00ad",  # a soft hyphen
    " ",
]


def drawn(text: str, width: int, rtl: bool = True) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(BidiText(Text(text), rtl), overflow="ignore", crop=False)
    return out.getvalue().split("\n")[:-1]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=30), width=st.integers(2, 20))
def test_no_character_of_a_line_is_lost_to_its_column(pieces, width):
    text = "".join(pieces).strip()
    lines = drawn(text, width)
    assert all(cell_len(line) <= width for line in lines), lines
    shaped = "".join(shape_with_origins(word)[0] for word in text.split(" "))
    letters = unicodedata.normalize("NFKD", shaped)  # a word cut is shaped piece by piece: the same letters
    assert Counter(unicodedata.normalize("NFKD", "".join(lines).replace(" ", ""))) == Counter(letters)


@pytest.mark.parametrize(
    "text",
    ["שָׁלוֹם", "שָׁלוֹם עליכם", "\u2764\ufe0f\u2764\ufe0f روسيا", "ש\u0301ש", "abc שָׁלוֹם"],
    ids=["points", "two words", "hearts", "accent", "latin first"],
)
def test_a_combining_mark_is_drawn_after_its_base_as_fribidi_draws_it(text):
    assert display(text, True)[0] == fribidi([text])[0]


@pytest.mark.parametrize(
    ("text", "expected", "whole"),
    [
        (
            "روسيا \U0001f44d\U0001f3fd\U0001f44d\U0001f3ff",
            "\U0001f44d\U0001f3ff\U0001f44d\U0001f3fd ﺎﻴﺳﻭﺭ",
            "\U0001f44d\U0001f3fd",
        ),
        (
            "روسيا \U0001f3f4\U000e0067\U000e0062\U000e007f",
            "\U0001f3f4\U000e0067\U000e0062\U000e007f ﺎﻴﺳﻭﺭ",
            "\U0001f3f4\U000e0067\U000e0062\U000e007f",
        ),
    ],
    ids=["skin tones", "flag tags"],
)
def test_an_emoji_is_drawn_and_cut_with_its_modifier_and_its_tags(text, expected, whole):
    """Reversed with the run, a skin tone came before its hand (a swatch of two cells, measured as none), and the
    tags of a flag were dropped (rule X9): England's flag was a black one. Cut, a picture stays whole."""
    assert display(text, True)[0] == expected
    lines = drawn(text, 2)
    assert all(cell_len(line) <= 2 for line in lines), lines
    assert whole in [line.strip() for line in lines]


def test_what_is_left_out_of_the_shaped_text_is_unicodes_boundary_neutrals_but_the_tags():
    """The characters rule X9 removes, less the embeddings and overrides (the sanitiser escapes those first) and the
    tags, which are drawn with the flag before them."""
    left_out = [point for point in range(0x110000) if _INVISIBLE.match(chr(point))]
    neutrals = [point for point in range(0x110000) if unicodedata.bidirectional(chr(point)) == "BN"]
    assert left_out == [point for point in neutrals if not 0xE0020 <= point <= 0xE007F]
    assert shape_with_origins("روسيا a\u200db\u00ad\ufeffc") == ("ﺭﻭﺳﻴﺎ abc", [0, 1, 2, 3, 4, 5, 6, 8, 11])
