"""The line rules this module applies itself (L1: whitespace, isolates and separators back to the paragraph level;
X9: explicit formatting not displayed; L4: mirroring at odd levels) against Unicode's BidiTest.txt and GNU FriBidi."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import FRIBIDI, fribidi

from facts_cli.bidi import display, is_rtl, line_levels, logical_from_visual, visual_order

BIDI_TEST = Path("/usr/share/unicode/BidiTest.txt")

# A character of each bidirectional class, for BidiTest.txt's sequences of classes (no paired brackets, as it says).
OF_CLASS = {
    "L": "a",
    "R": "\u05d0",
    "AL": "\u0627",
    "EN": "1",
    "ES": "+",
    "ET": "$",
    "AN": "\u0660",
    "CS": ",",
    "NSM": "\u0300",
    "BN": "\u00ad",
    "B": "\u2029",
    "S": "\t",
    "WS": " ",
    "ON": "!",
    "LRE": "\u202a",
    "LRO": "\u202d",
    "RLE": "\u202b",
    "RLO": "\u202e",
    "PDF": "\u202c",
    "LRI": "\u2066",
    "RLI": "\u2067",
    "FSI": "\u2068",
    "PDI": "\u2069",
}


def bidi_test_cases(longest: int) -> list[tuple[str, bool | None, list[int | None], list[int]]]:
    """BidiTest.txt's cases of at most `longest` classes and of more than four: each text, its paragraph direction
    (None: from the text, rules P2 and P3), levels and visual order."""
    cases = []
    levels: list[int | None] = []
    order: list[int] = []
    for line in BIDI_TEST.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("@Levels:"):
            levels = [None if level == "x" else int(level) for level in line.split(":", 1)[1].split()]
        elif line.startswith("@Reorder:"):
            order = [int(index) for index in line.split(":", 1)[1].split()]
        elif line:
            classes, directions = line.split(";")
            names = classes.split()
            if len(names) <= longest or len(names) > 4:
                text = "".join(OF_CLASS[name] for name in names)
                for bit, rtl in ((1, None), (2, False), (4, True)):
                    if int(directions) & bit:
                        cases.append((text, rtl, levels, order))
    return cases


def test_each_class_stands_for_itself():
    assert {name: unicodedata.bidirectional(char) for name, char in OF_CLASS.items()} == {n: n for n in OF_CLASS}


@pytest.mark.skipif(not BIDI_TEST.exists(), reason="Debian's unicode-data (BidiTest.txt) is not installed")
def test_levels_and_order_pass_bidi_test_up_to_three_classes_and_its_longer_cases():
    """The 96% of BidiTest.txt that is every sequence of exactly four classes takes 20 s; the rest, a second, holds
    every class at the end of a line and before a separator, where rule L1 acts."""
    cases = bidi_test_cases(longest=3)
    assert len(cases) > 35_000
    failures = []
    for text, rtl, levels, order in cases:
        got = line_levels(text, is_rtl(text) if rtl is None else rtl)
        if got != levels or visual_order(got) != order:
            failures.append((text, rtl))
    assert failures == []


def fribidi_kept(lines: list[str], rtl: bool) -> list[str]:
    """FriBidi's visual lines with what rule X9 removes taken out (FriBidi keeps the explicit embeddings and BN in
    its output, at a place of its choosing; `--clean` would take the isolates out too, which X9 keeps)."""
    removed = {"RLE", "LRE", "RLO", "LRO", "PDF", "BN"}  # UAX #9, rule X9
    return [
        "".join(char for char in line if unicodedata.bidirectional(char) not in removed) for line in fribidi(lines, rtl)
    ]


LINES = [
    ("abc \u202bאב גד\u202c ef", False),  # an embedding, RLE ... PDF
    ("אב \u202aabc def\u202c גד", True),  # LRE ... PDF
    ("abc \u202eabc def\u202c gh", False),  # an override, RLO ... PDF
    ("אב \u202dאב גד\u202c ו", True),  # LRO ... PDF
    ("abc\u00adאב גד", False),  # a soft hyphen, BN
    ("abc \u202bאב גד ", False),  # whitespace at the end, in an embedding left open
    ("abc \u2067אב גד ", False),  # whitespace at the end, in an isolate left open
    ("abc \u2067אב \u2066", False),  # LRI at the end, in an isolate
    ("abc \u2067אב \u2067", False),  # RLI at the end, in an isolate
    ("abc \u2067אב \u2068", False),  # FSI at the end, in an isolate
    ("abc \u2067אב \u2066d\u2069", False),  # PDI at the end, in an isolate
    ("abc \u202bאב \tdef", False),  # whitespace before a tab, S
    ("abc \u202bאב \u2029", False),  # whitespace before a paragraph separator, B
    ("אב abc \tdef", True),  # a tab in a right-to-left paragraph
    ("abc def  ", True),  # whitespace at the end of a right-to-left paragraph
    ("abc (def) ghi", True),  # brackets at level 2: not mirrored
    ("كلمة abc (def) ghi كلمة", True),
    ("אב \u2066א (ב) ג\u2069 ד", True),  # brackets at level 3: mirrored
    ("روسيا (CNN) تسلم", True),  # brackets at level 1: mirrored
]


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
@pytest.mark.parametrize("rtl", [False, True])
def test_explicit_formatting_separators_and_brackets_are_drawn_as_fribidi_draws_them(rtl):
    texts = [text for text, direction in LINES if direction == rtl]
    assert [display(text, rtl)[0] for text in texts] == fribidi_kept(texts, rtl)


VISUAL_LINES = [
    "\ufe94\ufee4\ufee0\ufecb abc (def) ghi \ufe94\ufee4\ufee0\ufecb",  # brackets at level 2, left as they are
    "\u2066\u05d0 (\u05d1) \u05d2\u2069",  # brackets at level 3, mirrored back
    "\ufe94\ufee4\ufee0\ufecb (\ufe94\ufee4\ufee0\ufecb) \ufefb",  # brackets at level 1, mirrored back
]


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
def test_a_visual_line_is_put_back_as_fribidi_reorders_a_right_to_left_line():
    """Put back: reordered as a right-to-left paragraph, brackets mirrored at odd levels, then NFKC."""
    expected = [unicodedata.normalize("NFKC", line) for line in fribidi_kept(VISUAL_LINES, rtl=True)]
    assert [logical_from_visual(line) for line in VISUAL_LINES] == expected


@pytest.mark.parametrize("rtl", [False, True])
def test_an_empty_line_is_drawn_as_nothing(rtl):
    assert line_levels("", rtl) == []
    assert display("", rtl) == ("", [])
