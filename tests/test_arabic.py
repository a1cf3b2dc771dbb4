"""Arabic matching: Lucene's own test vectors, and what this project adds (digits, hamza seats, proclitics)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from facts_cli.arabic import analyze, normalize, stem, stem_arabic, stem_english, tokenize, without_proclitic

VECTORS = Path(__file__).resolve().parent / "data" / "lucene-arabic.tsv"


def lucene_vectors() -> list[tuple[str, str, str]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            stage, given, expected = line.split("\t")
            rows.append((stage, given, expected))
    return rows


def test_the_vectors_are_all_there():
    stages = [stage for stage, _, _ in lucene_vectors()]
    assert (stages.count("normalize"), stages.count("stem"), stages.count("analyze")) == (14, 21, 9)


@pytest.mark.parametrize(("stage", "given", "expected"), lucene_vectors())
def test_lucene_vector(stage, given, expected):
    if stage == "normalize":
        assert normalize(given) == expected
    elif stage == "stem":
        assert stem_arabic(given) == expected
    else:
        assert " ".join(analyze(given)) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("١٢٣", "123"),
        ("۱۲۳", "123"),
        ("\ufefb", "لا"),
        ("ﺷﻮﻳﻐﻮ", "شويغو"),
        ("مسؤول مسئول", "مسوول مسيول"),
        ("کازاخستان", "كازاخستان"),
        ("S-300", "s-300"),
        ("ﻛﺎﺯﺍﺧﺴﺘﺎﻥ", "كازاخستان"),
    ],
)
def test_normalize_beyond_lucene(given, expected):
    assert normalize(given) == expected


def test_every_decimal_digit_of_every_script_normalises_to_its_ascii_digit():
    digits = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.decimal(chr(c), None) is not None]
    assert len(digits) > 600
    assert normalize("".join(digits)) == "".join(str(unicodedata.decimal(d)) for d in digits)
    assert normalize("x²") == "x2"


def test_every_haraka_and_tatweel_goes_and_every_letter_variant_folds():
    from facts_cli.arabic import _FOLDS, _HARAKAT

    for code_point in _HARAKAT:
        assert normalize(f"ب{chr(code_point)}ت") == "بت", hex(code_point)
    for variant, letter in _FOLDS.items():
        assert normalize(f"ب{variant}ت") == f"ب{letter}ت", variant


def test_tokens_split_at_hyphens_and_keep_numbers():
    assert tokenize('منظومات "إس -300"') == ["منظومات", "اس", "300"]
    assert tokenize("إس-300") == tokenize("اس 300") == ["اس", "300"]
    assert tokenize("الـ69") == ["ال69"]


def test_stem_leaves_numbers_and_folds_english_plurals():
    assert stem("300") == "300"
    assert [stem_english(w) for w in ["agreements", "ministries", "defenses", "class", "bus", "S"]] == [
        "agreement",
        "ministry",
        "defence",
        "class",
        "bus",
        "S",
    ]


def test_proclitics_come_off_for_name_matching():
    assert without_proclitic("بموسكو") == ["موسكو"]
    assert without_proclitic("والقوقاز") == ["القوقاز", "قوقاز"]
    assert without_proclitic("القوقاز") == ["قوقاز"]
    assert without_proclitic("ولد") == []
    assert without_proclitic("moscow") == []
