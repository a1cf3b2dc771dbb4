"""Text analysis: Lucene's own test vectors, and what this project adds (digits, hamza seats, proclitics, the Arabic
rules beyond light10, Snowball English, presentation forms in visual order)."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from facts_cli.arabic import (
    accusative_alif,
    analyze,
    bare,
    feminine_past,
    hamza_seat,
    light10,
    normalize,
    stem,
    stem_arabic,
    stem_english,
    tokenize,
    typed_words,
    with_proclitic,
    without_proclitic,
    word_order,
)
from facts_cli.bidi import display

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
        assert light10(given) == expected
    else:
        assert " ".join(light10(token) for token in tokenize(given)) == expected


@pytest.mark.parametrize(("given", "expected"), [(g, e) for stage, g, e in lucene_vectors() if stage == "analyze"])
def test_the_rules_beyond_light10_keep_lucenes_whole_analyzer_vectors(given, expected):
    assert " ".join(analyze(given)) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [(g, e) for stage, g, e in lucene_vectors() if stage == "stem" and (g[0] != "و" or g.startswith("وال"))],
)
def test_the_rules_beyond_light10_keep_lucenes_stemmer_vectors_but_the_bare_waw(given, expected):
    assert stem_arabic(given) == expected


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
    assert stem("ال69") == "69"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Russia's", ["russia"]),
        ("RUSSIA'S", ["russia"]),
        ("Russia’s air defence", ["russia", "air", "defence"]),
        ("Kazakhstanʼs", ["kazakhstan"]),
        ("the states' forces", ["the", "states", "forces"]),
        ("it's", ["it"]),
        ("'s", ["s"]),
        ("S-300's range", ["s", "300", "range"]),
        ("O'Brien", ["o", "brien"]),
        ("Russia'sx", ["russia", "sx"]),
    ],
)
def test_a_possessive_comes_off_before_words_are_split(given, expected):
    assert tokenize(given) == expected


def test_numbers_stay_as_they_are():
    assert stem("300") == "300"
    assert stem("2013") == "2013"


@pytest.mark.parametrize(
    "forms",
    [
        ["sign", "signs", "signed", "signing"],
        ["adopt", "adopts", "adopted", "adopting"],
        ["deliver", "delivers", "delivered", "delivering"],
        ["meet", "meets", "meeting", "meetings", "met"],
        ["hold", "holds", "holding", "held"],
        ["crisis", "crises"],
        ["agreement", "agreements"],
        ["ministry", "ministries"],
        ["threat", "threats"],
        ["unify", "unified", "unifies"],
        ["defence", "defences", "defense", "defenses"],
        ["organisational", "organizational", "organisation", "organization"],
        ["organise", "organize", "organised", "organized", "organising", "organizing"],
        ["analyse", "analyze", "analysed", "analyzed"],
        ["centre", "centres", "center", "centers"],
        ["armour", "armoured", "armor", "armored"],
        ["programme", "programmes", "program", "programs"],
    ],
)
def test_english_words_meet_their_inflections_and_american_spellings(forms):
    assert len({stem_english(form) for form in forms}) == 1, {form: stem_english(form) for form in forms}


@pytest.mark.parametrize(
    ("one", "other"),
    [("size", "sise"), ("prize", "prise"), ("meet", "met" + "al"), ("class", "clas"), ("news", "new"), ("s", "")],
)
def test_english_stems_keep_apart_what_differs(one, other):
    assert stem_english(one) != stem_english(other)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("اتفاقا", "اتفاق"),
        ("مجانا", "مجان"),
        ("ثنائيا", "ثنائي"),
        ("عمليا", "عملي"),
        ("ابدا", "ابد"),  # four letters: three remain
        ("كلا", "كلا"),  # three letters: too short
        ("هذا", "هذا"),
        ("لا", "لا"),
        ("دفاعها", "دفاعها"),  # the pronoun ها is not the accusative
        ("اتفاق", "اتفاق"),
    ],
)
def test_accusative_alif(given, expected):
    assert accusative_alif(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("لقاء", "لقا"),
        ("اعضاو", "اعضا"),  # أعضاؤها once ها is off
        ("ثناي", "ثنا"),  # ثنائي once one ي is off
        ("ماء", "ماء"),  # three letters: too short
        ("جاي", "جاي"),
        ("لقا", "لقا"),
        ("جزء", "جزء"),  # no alif before it
        ("سماء", "سما"),
    ],
)
def test_hamza_seat(given, expected):
    assert hamza_seat(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("وقعت", "وقع"),
        ("نشرت", "نشر"),
        ("ابرمت", "ابرم"),
        ("بنت", "بنت"),  # three letters: too short
        ("وقت", "وقت"),
        ("بيوت", "بيوت"),  # nouns in وت
        ("سكوت", "سكوت"),
        ("وقع", "وقع"),
    ],
)
def test_feminine_past(given, expected):
    assert feminine_past(given) == expected


@pytest.mark.parametrize(
    "forms",
    [
        ["اتفاق", "اتفاقا", "اتفاقاً", "الاتفاق", "اتفاقية", "اتفاقيات", "والاتفاق"],
        ["ثنائي", "ثنائيا", "ثنائية"],
        ["مجانا", "مجاناً", "بالمجان", "مجاني", "مجانية", "مجان"],
        ["عملي", "عمليا"],
        ["لقاء", "لقائه", "اللقاء", "لقاءه", "لقاءها"],
        ["أعضاء", "الأعضاء", "أعضائها", "أعضاؤها", "أعضائه"],
        ["إنشاء", "انشاء", "إنشائه"],
        ["وقع", "وقعا", "وقعت", "وقّع"],
        ["وزير", "الوزير", "الوزيرين", "الوزيران"],
        ["تهديد", "تهديدات"],
        ["التزامات", "التزاماتها"],
        ["منظومة", "منظومات", "المنظومات", "منظومتها"],
    ],
)
def test_arabic_words_meet_their_forms(forms):
    stems = {form: stem(tokenize(form)[0]) for form in forms}
    assert len(set(stems.values())) == 1, stems


@pytest.mark.parametrize(("one", "other"), [("وزير", "زير"), ("قع", "وقع"), ("واقع", "اقع"), ("ولد", "لد")])
def test_arabic_stems_keep_apart_what_differs(one, other):
    assert stem(one) != stem(other)


def test_a_suffix_leaves_three_letters_as_a_root_has():
    assert light10("مجان") == "مج" and stem_arabic("مجان") == "مجان"  # light10 leaves two
    assert stem_arabic("مجانا") == stem_arabic("مجانيه") == "مجان"
    assert stem_arabic("قويا") == "قوي" != stem_arabic("القوات")  # strong is not forces
    assert stem_arabic("زوجها") == "زوج"  # three letters remain: off


def test_light10_eats_the_first_letter_of_a_word_and_stem_does_not():
    assert light10("وزير") == "زير"
    assert stem_arabic("وزير") == "وزير"
    assert light10("وقعا") == "قعا"
    assert stem_arabic("وقعا") == "وقع"


def test_proclitics_come_off_for_name_matching():
    assert without_proclitic("بموسكو") == ["موسكو"]
    assert without_proclitic("وبموسكو") == ["بموسكو", "موسكو"]  # a conjunction and a preposition
    assert without_proclitic("فلروسيا") == ["لروسيا", "روسيا"]
    assert "موسكو" not in without_proclitic("بوموسكو")  # a preposition before a conjunction is not Arabic
    assert without_proclitic("والقوقاز") == ["القوقاز", "قوقاز"]
    assert without_proclitic("القوقاز") == ["قوقاز"]
    assert without_proclitic("للرابطه") == ["لرابطه", "الرابطه", "رابطه"]
    assert without_proclitic("ولد") == []
    assert without_proclitic("moscow") == []


@pytest.mark.parametrize(
    "word", ["رابطه", "الرابطه", "موسكو", "قوقاز", "ولد", "كازاخستان", "الجو", "الذي", "الو", "ال", "اب", "ابن"]
)
def test_every_form_with_a_proclitic_reads_back(word):
    forms = with_proclitic(word)
    assert all(word in without_proclitic(form) for form in forms)
    assert len(forms) == len(set(forms))


def test_with_proclitic_of_words_with_and_without_the_article():
    letters = "وفبلك"
    stacked = [c + p for c in "وف" for p in "بلك"]

    def attached(word: str) -> set[str]:
        return {*(p + word for p in [*letters, *stacked])}

    with_article = {"الرابطه", "للرابطه", *attached("رابطه"), *attached("الرابطه"), *attached("للرابطه")}
    assert set(with_proclitic("رابطه")) == with_article
    assert {"وبالرابطه", "وللرابطه", "فبرابطه"} <= with_article
    assert set(with_proclitic("الرابطه")) == {"للرابطه", *attached("الرابطه"), *attached("للرابطه")}
    assert set(with_proclitic("الجو")) == attached("الجو")  # للجو is too short to read back
    assert with_proclitic("اب") == () == with_proclitic("cis")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("الامريكي", "امريكي"),
        ("والامريكي", "امريكي"),
        ("بالصواريخ", "صواريخ"),
        ("وبالصواريخ", "صواريخ"),
        ("للدول", "دول"),
        ("وللدول", "دول"),
        ("الو", "الو"),  # two letters must remain
        ("وزير", "وزير"),  # a single proclitic is no article
        ("فرنسيه", "فرنسيه"),
        ("region", "region"),
    ],
)
def test_bare_takes_off_the_article_and_what_is_attached_before_it(given, expected):
    assert bare(given) == expected


@pytest.mark.parametrize(
    "char", ["\u00ad", "\u061c", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\u2066", "\ufeff"]
)
def test_format_characters_inside_a_word_are_removed(char):
    assert tokenize(f"تسل{char}يم Kazakh{char}stan") == ["تسليم", "kazakhstan"]


def test_an_underscore_splits_words_as_a_hyphen_does():
    assert tokenize("S_300 S-300 إس_300") == ["s", "300", "s", "300", "اس", "300"]


def test_a_numbers_english_plural_is_the_number():
    assert stem("300s") == "300" == stem("300")
    assert stem("1990s") == "1990"
    assert stem("s") == stem_english("s")


def test_typed_words_give_each_word_as_typed():
    assert typed_words("«إيران»، Russia's S-300 وشوي\u200cغو") == {
        "ايران": "إيران",
        "russia": "Russia's",
        "s": "s",
        "300": "300",
        "وشويغو": "وشويغو",
    }


SHAPED = ["شويغو", "وقع وزير الدفاع الروسي سيرغي شويغو", 'منظومات "إس -300" مجانا', "الاجتماع الدوري الـ69", "الدفاع"]


@pytest.mark.parametrize("text", SHAPED)
def test_what_the_visual_mode_draws_is_known_for_visual_order(text):
    drawn, _ = display(text, True)
    orders = [word_order(word) for word in drawn.split(" ")]
    assert "visual" in orders and "logical" not in orders
    assert {word_order(word) for word in text.split(" ")} == {None}  # base letters: no presentation forms


@pytest.mark.parametrize(
    "word",
    ["ﺷﻮﻳﻐﻮ", "ﺍﻟﺪﻓﺎﻉ", "ﺍﺗﻔﺎﻕ", "ﺍﺫﺭﺑﻴﺠﺎﻥ", "ﻭﺩﻓﺎﻉ", "ﻛﺎﺯﺍﺧﺴﺘﺎﻥ", "ﺍﻟـ69"],
)
def test_presentation_forms_in_logical_order_are_told_by_the_letters_inside(word):
    assert word_order(word) == "logical"  # ﺍﻟﺪﻓﺎﻉ begins and ends with letters that join nothing
    assert word_order(word[::-1]) == "visual"


def test_a_word_whose_letters_join_nothing_says_no_order():
    assert word_order("ﺭﺍﺩ") is None
    assert word_order("شويغو") is None
