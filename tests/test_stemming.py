"""Arabic stemming at its boundary lengths (Lucene's ArabicStemmer, light10: a one-letter prefix needs four letters,
any other prefix or suffix two letters left beside it; the search's stem_arabic leaves three beside a suffix), the
folds letter by letter, the proclitics one by one, and the English spellings and irregular forms the store's British
English is matched through."""

from __future__ import annotations

import pytest

from facts_cli.arabic import light10, normalize, stem_arabic, stem_english, with_proclitic, without_proclitic

# (word, light10, stem_arabic): each word at the length where a rule starts to apply, and one letter short of it.
BOUNDARIES = [
    # the one-letter prefix و needs four letters (light10 only: stem_arabic never takes a bare و)
    ("وقت", "وقت", "وقت"),
    ("وقتل", "قتل", "وقتل"),
    # the article needs two letters after it
    ("الم", "الم", "الم"),
    ("القط", "قط", "قط"),
    # three-letter prefixes, likewise
    ("والد", "الد", "والد"),
    ("والدر", "در", "در"),
    ("بالغ", "بالغ", "بالغ"),
    ("بالغر", "غر", "غر"),
    ("كالب", "كالب", "كالب"),
    ("كالبر", "بر", "بر"),
    ("فالس", "فالس", "فالس"),
    ("فالسم", "سم", "سم"),
    ("للب", "للب", "للب"),
    ("للبن", "بن", "بن"),
    # suffixes need two letters before them (light10), three (stem_arabic)
    ("سها", "سها", "سها"),
    ("ابها", "اب", "ابها"),
    ("قلبها", "قلب", "قلب"),
    ("قلان", "قل", "قلان"),
    ("قلون", "قل", "قلون"),
    ("قله", "قل", "قله"),
    ("قلبه", "قلب", "قلب"),
    ("بان", "بان", "بان"),
    ("كتبان", "كتب", "كتب"),
    ("مات", "مات", "مات"),
    ("كتبات", "كتب", "كتب"),
    ("يون", "يون", "يون"),
    ("كتبون", "كتب", "كتب"),
    ("عين", "عين", "عين"),
    ("كتبين", "كتب", "كتب"),
    ("فيه", "في", "فيه"),
    ("به", "به", "به"),
    ("كتبه", "كتب", "كتب"),
    ("مي", "مي", "مي"),
    ("كتبي", "كتب", "كتب"),
]


@pytest.mark.parametrize(("word", "light", "stemmed"), BOUNDARIES)
def test_stemming_at_the_boundary_lengths(word, light, stemmed):
    assert light10(word) == light
    assert stem_arabic(word) == stemmed


def test_short_words_are_not_stemmed_to_one_letter():
    for word in ["وقت", "بالغ", "سها", "به", "مي", "الم"]:
        assert len(light10(word)) >= 2 and len(stem_arabic(word)) >= 2


# Each letter variant folds to its base letter (Lucene's ArabicNormalizer, and beyond it the hamza seats).
FOLDS = {
    "آ": "ا",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ة": "ه",
    "ک": "ك",
    "ؤ": "و",
    "ئ": "ي",
    "’": "'",
    "ʼ": "'",
}


@pytest.mark.parametrize(("variant", "base"), FOLDS.items())
def test_each_letter_variant_folds(variant, base):
    assert normalize(f"ب{variant}ب") == f"ب{base}ب"


@pytest.mark.parametrize("proclitic", ["و", "ف", "ب", "ل", "ك"])
def test_each_proclitic_comes_off_a_name_and_goes_on_it(proclitic):
    assert without_proclitic(proclitic + "موسكو") == ["موسكو"]
    assert proclitic + "موسكو" in with_proclitic("موسكو")
    assert proclitic + "الرابطه" in with_proclitic("رابطه")


def test_a_word_too_short_for_a_proclitic_keeps_it():
    assert without_proclitic("فمو") == []
    assert without_proclitic("فموس") == ["موس"]
    assert with_proclitic("مو") == ()


AMERICAN = {
    "defense": "defence",
    "offense": "offence",
    "license": "licence",
    "center": "centre",
    "theater": "theatre",
    "fiber": "fibre",
    "caliber": "calibre",
    "meter": "metre",
    "honor": "honour",
    "labor": "labour",
    "favor": "favour",
    "color": "colour",
    "armor": "armour",
    "behavior": "behaviour",
    "neighbor": "neighbour",
    "rumor": "rumour",
    "program": "programme",
    "catalog": "catalogue",
    "dialog": "dialogue",
    "maneuver": "manoeuvre",
    "gray": "grey",
    "organization": "organisation",
    "organizations": "organisations",
    "organizational": "organisational",
    "organize": "organise",
    "organized": "organised",
    "organizing": "organising",
    "analyze": "analyse",
    "analyzed": "analysed",
}


@pytest.mark.parametrize(("american", "british"), AMERICAN.items())
def test_an_american_spelling_meets_the_british_one(american, british):
    assert stem_english(american) == stem_english(british)


IRREGULAR = {
    "met": "meet",
    "held": "hold",
    "made": "make",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "began": "begin",
    "begun": "begin",
    "led": "lead",
    "sent": "send",
    "said": "say",
    "told": "tell",
    "spoke": "speak",
    "spoken": "speak",
    "sought": "seek",
    "brought": "bring",
    "bought": "buy",
    "built": "build",
    "fought": "fight",
    "won": "win",
    "paid": "pay",
    "struck": "strike",
    "drew": "draw",
    "drawn": "draw",
    "grew": "grow",
    "grown": "grow",
    "knew": "know",
    "known": "know",
    "went": "go",
    "gone": "go",
    "came": "come",
    "became": "become",
    "chose": "choose",
    "chosen": "choose",
    "wrote": "write",
    "written": "write",
    "broke": "break",
    "broken": "break",
    "fell": "fall",
    "fallen": "fall",
    "flew": "fly",
    "flown": "fly",
    "sold": "sell",
    "stood": "stand",
    "understood": "understand",
    "kept": "keep",
    "meant": "mean",
    "thought": "think",
    "spent": "spend",
    "crises": "crisis",
    "analyses": "analysis",
    "theses": "thesis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "men": "man",
    "women": "woman",
    "children": "child",
}


@pytest.mark.parametrize(("form", "word"), IRREGULAR.items())
def test_an_irregular_form_meets_its_word(form, word):
    assert stem_english(form) == stem_english(word)
