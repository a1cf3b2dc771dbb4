"""Shaping: the lam-alef ligatures, a zero-width joiner and a ligature already in the text, as FriBidi draws them; no
letter lost, each drawn character traced to its letter, and cut words that fit their column."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import BUNDLED, FRIBIDI, fribidi, write_store
from rich.cells import cell_len

from facts_cli.bidi import display, shape_with_origins, wrap
from facts_cli.store import open_store
from facts_cli.visual import shaped_width

ZWJ = "\u200d"
LAM_ALEF = "\ufefb"  # ARABIC LIGATURE LAM WITH ALEF ISOLATED FORM, as text copied from a PDF may hold it

JOINED = [
    f"{ZWJ}لا",  # a lam-alef joined on its right: its final form
    f"ب{ZWJ}لاب",
    f"{ZWJ}بلاب",
    f"ل{ZWJ}ا",  # a ZWJ between lam and alef asks for the two joined, not for the ligature
    f"ب{ZWJ}",
    f"{ZWJ}ب",
    f"a{ZWJ}لا",
    f"كلمة{ZWJ} لا",
    f"لا{LAM_ALEF}",
    f"{LAM_ALEF}ب",
]


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
def test_a_zero_width_joiner_and_a_ready_made_ligature_are_drawn_as_fribidi_draws_them():
    """The joiner itself is not drawn (it is a BN character, which rule X9 removes; FriBidi leaves it in place)."""
    assert [display(text, True)[0] for text in JOINED] == [line.replace(ZWJ, "") for line in fribidi(JOINED)]


# Each alef after a lam, the lam alone (the isolated ligature) or joined on its right (the final one).
LIGATURES = [f"{before}ل{alef}" for before in ("", "ب") for alef in "\u0622\u0623\u0625\u0627"]


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
def test_each_lam_alef_ligature_is_made_as_fribidi_makes_it():
    drawn = [display(text, True)[0] for text in LIGATURES]
    assert drawn == fribidi(LIGATURES)
    assert all(unicodedata.name(line[0]).startswith("ARABIC LIGATURE LAM WITH ALEF") for line in drawn)


def words_of_the_store() -> list[str]:
    store = open_store(BUNDLED)
    texts = [fact[name] for fact in store.facts for name in ("claim", "quote")]
    texts += [entity["name"]["ar"] for entity in store.entities]
    return sorted({word for text in texts for word in text.split()})


@pytest.mark.parametrize("word", [*JOINED, "الآن", "لإيران", "بالأسلحة", "اللّٰه", "مُحَمَّدٌ", "ﻻﺏ"])
def test_each_drawn_character_comes_from_the_letter_it_is_drawn_for(word):
    """NFKC takes a presentation form back to its letter, a lam-alef to its lam and alef: the first of those is the
    character of the word the drawn character is said to come from; each comes after the one before."""
    shaped, origins = shape_with_origins(word)
    assert len(origins) == len(shaped)
    assert origins == sorted(set(origins))
    for char, origin in zip(shaped, origins, strict=True):
        assert unicodedata.normalize("NFKC", char)[0] == unicodedata.normalize("NFKC", word[origin])[0], (char, origin)


def test_each_drawn_character_of_the_store_comes_from_its_letter():
    words = words_of_the_store()
    assert len(words) > 300
    for word in words:
        shaped, origins = shape_with_origins(word)
        assert len(origins) == len(shaped), word
        assert all(
            unicodedata.normalize("NFKC", char)[0] == unicodedata.normalize("NFKC", word[origin])[0]
            for char, origin in zip(shaped, origins, strict=True)
        ), word


@pytest.mark.parametrize(
    ("word", "width"),
    [
        (f"لا{LAM_ALEF}", 1),
        (f"بلا{LAM_ALEF}ب", 2),
        (f"{LAM_ALEF}{LAM_ALEF}بب", 1),
        (f"ب{ZWJ}بلاب{ZWJ}لاب", 1),
        (f"ب{ZWJ}بلاب{ZWJ}لاب", 2),
        (f"{ZWJ}{ZWJ}لالا", 1),
    ],
)
def test_a_word_with_a_joiner_or_a_ready_made_ligature_is_cut_into_pieces_that_fit(word, width):
    lines = wrap(word, width, shaped_width)
    assert "".join(lines) == word
    assert all(0 < shaped_width(line) <= width for line in lines), lines


FAMILY = f"\U0001f468{ZWJ}\U0001f469"  # a man and a woman joined: one picture where a terminal joins them


def test_a_joined_sequence_is_measured_as_visual_mode_draws_it():
    """Rule X9 takes the ZWJ out, so visual mode draws the man and the woman, four cells, and measures them so (Rich
    takes a ZWJ to join whatever follows it: two cells, and the woman was cropped away); cut, each is whole."""
    assert shaped_width(FAMILY) == 4
    assert wrap(FAMILY, 4, shaped_width) == [FAMILY]
    assert wrap(FAMILY, 3, shaped_width) == [f"\U0001f468{ZWJ}", "\U0001f469"]


def test_a_claim_with_a_joiner_before_a_lam_alef_is_drawn_in_visual_mode(run, tmp_path, document):
    """arabic-reshaper 3.1.0's own ligatures raised IndexError on it: `facts` stopped with an internal error."""
    fact = next(iter(document["facts"].values()))
    fact["claim"] = f"روسيا {ZWJ}لا تسلم كازاخستان"
    path = write_store(tmp_path / "joiner.json", document)
    result = run("list", "--db", str(path), "--format", "table", "--bidi", "visual", env={"COLUMNS": "100"})
    assert (result.returncode, result.stderr) == (0, "")
    drawn = display(fact["claim"], True)[0]
    assert "\ufefc" in drawn  # the lam-alef, joined on its right by the ZWJ: its final form
    assert any(drawn in line for line in result.stdout.split("\n")), result.stdout
    assert max(cell_len(line) for line in result.stdout.split("\n")) <= 100
