"""Right-to-left output: the reorder function against Unicode's conformance data, wrapped lines against GNU
FriBidi, properties of wrapping, the bidi mode a terminal gets, and machine output left alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import BUNDLED, FRIBIDI, TTYStream, fribidi
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from facts_cli.arabic import normalize
from facts_cli.bidi import display, is_rtl, line_levels, logical_from_visual, shape, visual_order, wrap
from facts_cli.store import open_store
from facts_cli.streams import EXPLICIT_MODE, Streams
from facts_cli.visual import BidiText, shaped_width

CONFORMANCE = Path("/usr/share/unicode/BidiCharacterTest.txt")


def conformance_cases() -> list[tuple[str, int, list[int | None], list[int]]]:
    cases = []
    for line in CONFORMANCE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            points, direction, _, levels, order = line.split(";")
            text = "".join(chr(int(point, 16)) for point in points.split())
            cases.append(
                (
                    text,
                    int(direction),
                    [None if level == "x" else int(level) for level in levels.split()],
                    [int(index) for index in order.split()],
                )
            )
    return cases


@pytest.mark.skipif(not CONFORMANCE.exists(), reason="Debian's unicode-data (BidiCharacterTest.txt) is not installed")
def test_levels_and_order_pass_every_case_of_bidi_character_test():
    cases = conformance_cases()
    assert len(cases) > 90_000
    failures = []
    for text, direction, levels, order in cases:
        rtl = is_rtl(text) if direction == 2 else direction == 1
        got = line_levels(text, rtl)
        if got != levels or visual_order(got) != order:
            failures.append(text)
    assert failures == []


def render(text: str, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(BidiText(Text(text)))
    return console.file.getvalue().split("\n")[:-1]


def arabic_texts(document) -> list[str]:
    texts = [f["claim"] for f in document["facts"].values()] + [f["quote"] for f in document["facts"].values()]
    texts += [line for line in next(iter(document["sources"].values()))["text"].split("\n") if is_rtl(line)]
    return [text for text in texts if is_rtl(text)]


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
@pytest.mark.parametrize("width", [18, 33, 61, 120])
def test_each_wrapped_line_is_fribidis_rendering_of_its_logical_line_first_line_first(bundled_document, width):
    texts = [*arabic_texts(bundled_document), "روسيا (CNN) تسلم [إس-300] مجانا {عاجل} 23.5% <لا>"]
    logical, visual = [], []
    for text in texts:
        lines = wrap(text, width, shaped_width)
        assert " ".join(lines) == text
        rendered = render(text, width)
        assert len(rendered) == len(lines)
        assert all(cell_len(line) == width for line in rendered)
        logical += lines
        visual += [line.strip(" ") for line in rendered]
    assert visual == fribidi(logical)


def test_paired_brackets_are_mirrored_where_python_bidi_does_not():
    from bidi import get_display

    assert "(CNN)" in display("روسيا (CNN) اليوم", rtl=True)[0]
    assert ")CNN(" in get_display("روسيا (CNN) اليوم", base_dir="R")
    assert display("a (b) c", rtl=False)[0] == "a (b) c"


def test_the_first_logical_words_are_on_the_top_line_right_aligned():
    text = "وقع وزير الدفاع الروسي سيرغي شويغو اتفاقا"
    top, *rest = render(text, 20)
    assert shape("وقع")[::-1] in top
    assert top.endswith(shape("وقع")[::-1])
    assert rest


def test_english_stays_left_to_right_and_left_aligned():
    assert render("RT published this report (today).", 40) == ["RT published this report (today).       "]
    line, _ = display("Shoigu met Tasmagambetov in موسكو.", rtl=False)
    assert line.startswith("Shoigu met Tasmagambetov in ") and line.endswith(".")


ARABIC_WORDS = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإةى", min_size=1, max_size=9)
OTHER_WORDS = st.sampled_from(["S-300", "RT", "(CNN)", "2015", "23.5%", "[x]", "،", "Moscow"])
WORDS = st.lists(st.one_of(ARABIC_WORDS, ARABIC_WORDS, OTHER_WORDS), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(words=WORDS, width=st.integers(min_value=6, max_value=70))
def test_no_line_is_wider_than_its_cell(words, width):
    text = " ".join(words)
    for line in render(text, width):
        assert cell_len(line) == width


@settings(max_examples=150, deadline=None)
@given(words=WORDS, width=st.integers(min_value=10, max_value=70))
def test_the_first_logical_word_is_on_the_first_line(words, width):
    text = " ".join(words)
    first_word = words[0]
    if shaped_width(first_word) > width:
        return
    first_line = wrap(text, width, shaped_width)[0]
    assert first_line.split(" ")[0] == first_word
    top = render(text, width)[0]
    assert display(first_line, is_rtl(text))[0] == top.strip(" ")


@settings(max_examples=100, deadline=None)
@given(words=WORDS, width=st.integers(min_value=6, max_value=70))
def test_wrapping_loses_and_adds_nothing(words, width):
    text = " ".join(words)
    lines = wrap(text, width, shaped_width)
    assert all(shaped_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("tty", "environ", "bidi", "visual", "explicit"),
    [
        (True, {}, "auto", True, False),
        (True, {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color"}, "auto", True, False),
        (True, {"VTE_VERSION": "7600"}, "auto", False, False),
        (True, {"KONSOLE_VERSION": "230805"}, "auto", False, False),
        (True, {"MLTERM": "3.9.3"}, "auto", False, False),
        (True, {"TERM_PROGRAM": "Apple_Terminal"}, "auto", False, False),
        (True, {"TERM_PROGRAM": "mintty"}, "auto", False, False),
        (True, {"WT_SESSION": "x"}, "auto", True, False),
        (False, {}, "auto", False, False),
        (False, {}, "visual", True, False),
        (True, {}, "logical", False, False),
        (True, {"VTE_VERSION": "7600"}, "visual", True, True),
        (True, {"TERM_PROGRAM": "mintty"}, "visual", True, True),
        (True, {"KONSOLE_VERSION": "230805"}, "visual", True, False),
    ],
)
def test_bidi_mode_by_terminal(tty, environ, bidi, visual, explicit):
    streams = Streams(None, TTYStream(tty), io.StringIO(), {"COLUMNS": "80", **environ}, bidi=bidi)
    assert (streams.visual, streams.explicit) == (visual, explicit)


def test_explicit_mode_is_asked_for_and_given_back():
    out = TTYStream(True)
    streams = Streams(None, out, io.StringIO(), {"VTE_VERSION": "7600"}, bidi="visual", paging=False)
    with streams.output(human=True) as stream:
        stream.write("body")
    assert out.getvalue() == EXPLICIT_MODE + "body\x1b[8h"
    with streams.output(human=False) as stream:
        stream.write("json")
    assert out.getvalue().endswith("\x1b[8hjson")


def test_the_reshaper_settings_kept_as_a_dict_are_those_arabic_reshaper_reads():
    from arabic_reshaper import ArabicReshaper

    from facts_cli import bidi

    own = ArabicReshaper(configuration=bidi._SETTINGS).configuration
    kept = bidi._RESHAPER.configuration
    assert set(own) == set(kept)
    assert all(kept.getboolean(key) == own.getboolean(key) for key in own if key != "language")
    assert kept["language"] == own.get("language")


def test_a_word_wider_than_its_line_is_cut_in_one_pass():
    """A hostile 20,000-letter word at width 1 took minutes when each cut measured the rest of the word again."""
    measured: list[int] = []

    def counting(text: str) -> int:
        measured.append(len(text))
        return shaped_width(text)

    word = "بلا" * 2000
    lines = wrap(word, 1, counting)
    assert "".join(lines) == word
    assert all(shaped_width(line) <= 1 for line in lines)
    assert sum(measured) <= 4 * len(word)


def test_a_visual_texts_styles_are_richs_own_for_every_character():
    text = Text("روسيا تسلم كازاخستان (S-300) اليوم", style="bold")
    text.stylize("underline cyan", 6, 20)
    text.stylize("red", 15, 28)
    text.stylize("dim", 30, 99)
    console = Console(file=io.StringIO(), width=40, color_system="standard", force_terminal=True)
    styles = BidiText(text)._styles(console)
    assert styles == [text.get_style_at_offset(console, offset) for offset in range(len(text.plain))]
    assert len(set(styles)) == 5


def _arabic_lines() -> list[str]:
    store = open_store(BUNDLED)
    texts = [fact[name] for fact in store.facts for name in ("claim", "quote")]
    texts += [s for e in store.entities for s in [e["name"]["ar"], *e["aliases"]["ar"], e["description"]["ar"]]]
    return [text for text in texts if has_arabic(text)]


def has_arabic(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


def test_what_display_draws_is_put_back_by_logical_from_visual():
    """Every Arabic claim, quote, name, alias and description of the store, and each of its words, drawn as the
    visual mode draws it and put back: the same text, once normalised (display drops harakat)."""
    lines = _arabic_lines()
    assert len(lines) > 150
    for text in lines:
        drawn, _ = display(text, True)
        assert normalize(logical_from_visual(drawn)) == normalize(text), text
        for word in text.split():
            drawn, _ = display(word, True)
            assert normalize(logical_from_visual(drawn)) == normalize(word), word


def test_logical_from_visual_gives_base_letters_and_the_ligature_as_two():
    drawn, _ = display("لا [إس-300]", True)
    assert "\ufefb" in drawn  # LAM WITH ALEF ISOLATED FORM
    assert logical_from_visual(drawn) == "لا [إس-300]"
