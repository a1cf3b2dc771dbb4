"""Text analysis for search, the same for the store and for queries: normalisation, words, stems (Arabic: Lucene's
light10 and what news Arabic needs beyond it; English: Snowball), proclitics, and text copied from visual output.
No I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from itertools import pairwise

_HARAKAT = [*range(0x064B, 0x0660), 0x0670, 0x0640, *range(0x06D6, 0x06EE)]
_FOLDS = {
    "آ": "ا",
    "أ": "ا",
    "إ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ک": "ك",
    "ی": "ي",
    # Beyond Lucene: hamza on waw and yeh, which people drop or write either way (مسؤول, مسئول).
    "ؤ": "و",
    "ئ": "ي",
    # Apostrophes, so that a possessive is looked for once: Russia’s, Russiaʼs.
    "’": "'",
    "ʼ": "'",
}
# Invisible characters that text copied from a web page, typed on some keyboards or written by old systems carries
# inside words: Unicode's default-ignorable code points (Default_Ignorable_Code_Point, in DerivedCoreProperties.txt
# of Unicode 15): the soft hyphen, the combining grapheme joiner, the Arabic letter mark, zero-width space,
# non-joiner and joiner, the marks, embeddings and isolates of direction, the word joiner and invisible operators,
# the deprecated controls of Arabic form shaping (U+206A to U+206F), variation selectors, the byte order mark, tags,
# Hangul fillers. They are removed, not made spaces: `تسل\u200cيم` is `تسليم`.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_IGNORABLE_CLASS = "".join(f"\\U{first:08X}-\\U{last:08X}" for first, last in _IGNORABLE)
_IGNORABLE_PATTERN = f"[{_IGNORABLE_CLASS}]"  # compiled when first used, as _POSSESSIVE below
_FOLDED = {**dict.fromkeys(map(chr, _HARAKAT), ""), **_FOLDS}
# A regex and a dict, not str.translate: translate looks every character up, three times slower on Arabic text. The
# ranges beyond the BMP make it 0.4 us a text slower (of some 40 us to index one): kept, as one pass.
_TO_FOLD = re.compile("[" + "".join(map(re.escape, _FOLDED)) + _IGNORABLE_CLASS + "]")
# Words are runs of letters and digits: a hyphen splits (`إس-300` is `اس` `300`), and so does an underscore
# (`S_300` is `s` `300`; `\w` alone would keep it in the word). Splitting letters from digits
# too (`69th` as `69` `th`) found nothing more on the evaluation set (`الـ69` is `ال69`, which light10 stems to
# `69`) and made building the index 3% slower (the pattern costs 0.5 us more a text): not done.
_WORD = re.compile(r"[^\W_]+")
# An English possessive comes off before words are split, or its `s` would be a word (and match `S-300`). This
# pattern and the others used on some texts only are compiled when first used (re keeps them): compiling them all
# at import cost 0.65 ms of every command's start-up.
_POSSESSIVE = r"(?<=\w)'s\b"
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")

# Lucene's ArabicStemmer (Larkey's light10): the first prefix that fits, then every suffix that fits, in order.
_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
# Beyond light10, a bare `و` is not a prefix that always comes off: it is the first letter of وزير, وقع, واقع. It
# comes off, as `ب ل ك ف` do, only when the rest is a word of the store (cli/query.py's Stemmer).
PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل")
# Beyond light10, a suffix comes off only when three letters remain, as an Arabic root has three: light10 leaves two,
# making `مجان` (free) `مج` while `مجاني` and `مجانية` stay `مجان`, and `قويا` (strong) `قو` as `القوات` (forces).
SUFFIX_KEEPS = 3
# Single-letter proclitics (the conjunction and prepositions), and the article.
_PROCLITICS = ("و", "ف", "ب", "ل", "ك")
_CONJUNCTIONS, _PREPOSITIONS = "وف", "بلك"


# Decimal digits of every script but ASCII's (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari, ...).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _digit_to_ascii(match: re.Match[str]) -> str:
    return str(unicodedata.decimal(match[0]))


def _fold(match: re.Match[str]) -> str:
    return _FOLDED.get(match[0], "")


def normalize(text: str) -> str:
    """NFKC, case-folded, digits of every script as ASCII, harakat and tatweel removed, letter variants folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TO_FOLD.sub(_fold, _OTHER_DIGIT.sub(_digit_to_ascii, text))


def tokenize(text: str) -> list[str]:
    """The normalised words of `text`, an English possessive `'s` taken off."""
    text = normalize(text)
    if "'" in text:  # a test in C, ten times cheaper than the pattern on every text
        text = re.sub(_POSSESSIVE, "", text)
    return _WORD.findall(text)


# What is no part of a word as typed, around it: punctuation and symbols (not harakat, which are no `\w`).
_NOT_IN_WORD = r"[^\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+"
_AROUND_WORD = f"^{_NOT_IN_WORD}|{_NOT_IN_WORD}$"


def typed_words(text: str) -> dict[str, str]:
    """Each normalised word of `text` and how it was typed, for messages (`ايران`: `إيران`): the piece of text
    between spaces that is that word alone, punctuation around it left out; a word typed with others in one piece
    (`إس-300`) is given as it is normalised."""
    typed: dict[str, str] = {}
    for piece in text.split():
        words = tokenize(piece)
        if len(words) == 1:
            typed.setdefault(words[0], re.sub(_IGNORABLE_PATTERN, "", re.sub(_AROUND_WORD, "", piece)))
        for word in words:
            typed.setdefault(word, word)
    return typed


def is_arabic(token: str) -> bool:
    return bool(_ARABIC_LETTER.search(token))


def light10(token: str) -> str:
    """Lucene's ArabicStemmer on a normalised token: the first prefix that fits (leaving at least two letters, or
    three after `و`), then each suffix in turn while at least two letters remain."""
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) >= (4 if len(prefix) == 1 else len(prefix) + 2):
            token = token[len(prefix) :]
            break
    return _strip_suffixes(token)


def _strip_suffixes(token: str, keep: int = 2) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) >= len(suffix) + keep:
            token = token[: -len(suffix)]
    return token


def accusative_alif(token: str) -> str:
    """The alif that carries the tanween of an indefinite accusative taken off: `اتفاقا` is `اتفاق`, `ثنائيا`
    `ثنائي`, `مجانا` `مجان`, `عمليا` `عملي` (harakat, `اتفاقاً`, are gone by now). Also the alif of a dual verb
    (`وقعا`). Only when three letters remain: `كلا`, `هذا` stay; and not from the pronoun `ها` (`التزاماتها`,
    her obligations). A word that ends in alif of its own loses it too (`دنيا`), with or without the article, so
    that its forms still meet."""
    return token[:-1] if len(token) >= 4 and token.endswith("ا") and not token.endswith("ها") else token


def hamza_seat(stem: str) -> str:
    """A hamza after a long alif at the end of a stem taken off, with the seat it moves to before a suffix:
    `لقاء` and `لقائه`, `أعضاء` and `أعضاؤها` and `أعضائها`, `ثنائي` all end in the alif (`لقا`, `اعضا`, `ثنا`).
    Normalised, the seats are `ي` and `و`, and light10 has taken `ه`, `ها`, `ي` off. Only when three letters
    remain: `ماء` stays."""
    return stem[:-1] if len(stem) >= 4 and stem[-2] == "ا" and stem[-1] in "ءيو" else stem


def feminine_past(stem: str) -> str:
    """The `ت` of a verb in the past tense (she, or a country: `وقعت روسيا`, `أعلنت`) taken off: `وقعت` is
    `وقع`. Only when three letters remain, and not after `و`, where nouns end so (`بيوت`, `سكوت`). The sound
    plural `ات` is gone by now. A noun that ends in `ت` loses it too, alike in all its forms."""
    return stem[:-1] if len(stem) >= 4 and stem.endswith("ت") and not stem.endswith("وت") else stem


def stem_arabic(token: str) -> str:
    """The stem of a normalised Arabic word: light10 without the bare `و` (PREFIXES), with the accusative alif
    taken off before the suffixes, and the `ت` of a past-tense verb and a final hamza after alif after them."""
    for prefix in PREFIXES:
        if token.startswith(prefix) and len(token) >= len(prefix) + 2:
            token = token[len(prefix) :]
            break
    return hamza_seat(feminine_past(_strip_suffixes(accusative_alif(token), SUFFIX_KEEPS)))


# American spellings to British, as the store writes British English: the word pairs, whose Snowball stems are
# paired when first needed (so `defenses` finds `defences`); -ize and -yze words by rule, before stemming.
_AMERICAN = {
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
}
_IZE = r"(?<=[a-z]{3})([iy])z(?=(?:e|es|ed|ing|ation|ations|ational|er|ers)$)"
# Irregular forms Snowball does not join to their stem (it has no dictionary): the past tenses and participles of
# common irregular verbs of news English, and irregular plurals. Each to the word whose stem it should share.
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


@cache
def _snowball() -> Callable[[str], str]:
    """Snowball's English (Porter2) stemmer, from PyStemmer (C): imported when the first English word is stemmed.
    Its own cache is off: `stem` keeps one."""
    import Stemmer

    return Stemmer.Stemmer("english", 0).stemWord


@cache
def _british_stems() -> dict[str, str]:
    snowball = _snowball()
    return {snowball(american): snowball(british) for american, british in _AMERICAN.items()}


def stem_english(token: str) -> str:
    """Snowball's English stem of a normalised word, with an irregular form taken to its regular word first and
    an American spelling to the British one (`met` is `meet`, `organizing` `organis`, `defenses` `defenc`)."""
    token = IRREGULAR.get(token, token)
    if "iz" in token or "yz" in token:
        token = re.sub(_IZE, r"\1s", token)
    stemmed = _snowball()(token)
    return _british_stems().get(stemmed, stemmed)


@lru_cache(maxsize=8192)
def stem(token: str) -> str:
    """The stem of a normalised token: Arabic or English as above; numbers as they are, and so their English plural
    (`300s`, as in `S-300s`, is `300`)."""
    if token.isdigit():
        return token
    if plural_number(token) != token:
        return token[:-1]
    return stem_arabic(token) if is_arabic(token) else stem_english(token)


def plural_number(token: str) -> str:
    """A normalised word that is a number's English plural (`300s`, `1990s`) as the number; any other as it is."""
    return token[:-1] if token[-1:] == "s" and token[:-1].isdigit() else token


def analyze(text: str) -> list[str]:
    """The stems of `text`: what the index holds and what a query is compared with."""
    return [stem(token) for token in tokenize(text)]


def without_proclitic(token: str) -> list[str]:
    """The readings of a normalised token with its attached conjunction (`و ف`), preposition (`ب ل ك`) or both, and
    the article, taken off.

    `بموسكو` gives `موسكو`; `وبموسكو` gives `بموسكو` and `موسكو`; `والقوقاز` gives `القوقاز` and `قوقاز`; `للرابطه`
    (ل and ال) gives `الرابطه` and `رابطه`. For matching names, whose own first letters a stemmer would eat
    (`بالخاش` is not `بال` + `خاش`): a reading counts only when it is a known name.
    """
    if len(token) <= 3 or not is_arabic(token):
        return []
    readings = [token]
    if token[0] in _CONJUNCTIONS:
        readings.append(token[1:])
    for reading in list(readings):
        if len(reading) > 3 and reading[0] in _PREPOSITIONS:
            readings.append(reading[1:])
    for reading in list(readings):
        if reading.startswith("لل") and len(reading) > 4:
            readings.append("ال" + reading[2:])
    for reading in list(readings):
        if reading.startswith("ال") and len(reading) > 4:
            readings.append(reading[2:])
    return readings[1:]


@lru_cache(maxsize=1024)
def with_proclitic(token: str) -> tuple[str, ...]:
    """The forms a normalised word may take in text with an attached conjunction, preposition or both, or the
    article: the words of which `without_proclitic` gives it as a reading (`رابطه`: `لرابطه`, `الرابطه`,
    `للرابطه`, `وللرابطه`, `وبرابطه`...)."""
    if len(token) < 3 or not is_arabic(token):
        return ()
    bases = [token] if token.startswith("ال") else [token, "ال" + token]
    if token.startswith("ال") and len(token) > 4:
        bases.append("لل" + token[2:])
    elif not token.startswith("ال"):
        bases.append("لل" + token)
    forms = [*bases[1:]]
    for base in bases:
        forms += [letter + base for letter in _PROCLITICS]
        forms += [conjunction + preposition + base for conjunction in _CONJUNCTIONS for preposition in _PREPOSITIONS]
    return tuple(dict.fromkeys(forms))


# The article, alone or after a conjunction, a preposition or both (`ال`, `وال`, `بال`, `وبال`, `لل`, `ولل`):
# always a prefix, and no part of what a misspelling changes.
_ARTICLE = "^[وف]?(?:[بك]?ال|لل)"


@cache
def _article() -> re.Pattern[str]:
    """_ARTICLE compiled, on the fuzzy path only (bare is called for every word of the store there)."""
    return re.compile(_ARTICLE)


def bare(token: str) -> str:
    """A normalised word without the article and what is attached before it (`الامريكي` is `امريكي`, `وبالصواريخ`
    `صواريخ`), when two letters remain: what fuzzy matching compares, counts and takes the first letter of."""
    match = _article().match(token)
    return token[match.end() :] if match and len(token) - match.end() >= 2 else token


# Arabic presentation forms (FB50-FDFF, FE70-FEFE; FEFF, which ends the block, is the byte order mark): what a
# terminal that does not shape is sent in visual mode.
PRESENTATION = r"[\uFB50-\uFDFF\uFE70-\uFEFE]"


# In logical order, a letter in a form that joins the next letter (initial, medial) is followed by one that joins the
# letter before it (medial, final), and only then; drawn in visual order, the string runs the other way. Whether a
# form joins the letter before it and the letter after it, in logical order; the tatweel joins both.
_JOINS = {"initial": (False, True), "medial": (True, True), "final": (True, False), "isolated": (False, False)}
_NOT_JOINED = (False, False)


def word_order(word: str) -> str | None:
    """`visual` or `logical`: the order a word in Arabic presentation forms is in, as its joining forms say; None for
    a word without them, or whose forms say neither (letters that join nothing: `ﻭﺭﺩ`).

    Each pair of neighbours, and each end of the word, is read both ways: in logical order a letter joins the next
    exactly when the next joins it, and the first letter joins nothing before it; in visual order the same holds
    from the right. The order under which more of them hold is the word's. The letters inside tell what the ends
    may not: `ﺍﻟﺪﻓﺎﻉ` (الدفاع in logical order) begins and ends with letters that join nothing."""
    if not re.search(PRESENTATION, word):
        return None
    letters = re.sub(_IGNORABLE_PATTERN, "", word)  # a byte order mark or ZWJ pasted in: no letter joining nothing
    joins = [_JOINS.get(_form(char), (True, True) if char == "\u0640" else _NOT_JOINED) for char in letters]
    edges = [_NOT_JOINED, *joins, _NOT_JOINED]
    logical = sum(before[1] == after[0] for before, after in pairwise(edges))
    visual = sum(before[0] == after[1] for before, after in pairwise(edges))
    return "visual" if visual > logical else "logical" if logical > visual else None


def _form(char: str) -> str:
    """`initial`, `medial`, `final` or `isolated`: the joining form of a presentation form (its decomposition
    tag); empty for any other character."""
    return unicodedata.decomposition(char).partition(" ")[0].strip("<>")
