"""The bundled store's content: the article verbatim, every line covered by exact spans, coherent facts."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from conftest import REPO

from facts_cli.arabic import normalize, tokenize, without_proclitic
from facts_cli.query import EntityIndex, spellings
from facts_cli.validate import validate_document
from facts_cli.vocabulary import FACT_TYPES, ROLES

ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def facts_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["facts"].values())


def entities_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in document["entities"].values()}


def the_source(document: dict[str, Any]) -> dict[str, Any]:
    (source,) = document["sources"].values()
    return source


def test_bundled_store_validates(bundled_document):
    assert validate_document(bundled_document) == []


def test_source_is_the_article_verbatim(bundled_document, article):
    assert the_source(bundled_document)["text"] == article
    assert article.endswith("\nRT")


def test_every_span_is_exact(bundled_document):
    text = the_source(bundled_document)["text"]
    for fact in facts_of(bundled_document):
        span = fact["span"]
        assert text[span["start"] : span["end"]] == fact["quote"], fact["id"]


@pytest.mark.parametrize("line_number", range(1, 18))
def test_every_line_of_the_article_is_covered_by_a_fact(bundled_document, line_number):
    text = the_source(bundled_document)["text"]
    lines = text.split("\n")
    assert len(lines) == 17
    start = sum(len(line) + 1 for line in lines[: line_number - 1])
    end = start + len(lines[line_number - 1])
    covering = [f["id"] for f in facts_of(bundled_document) if f["span"]["start"] < end and f["span"]["end"] > start]
    assert covering, f"line {line_number} ({lines[line_number - 1][:40]}...) has no fact"


def test_sentences_that_say_two_things_yield_two_facts(bundled_document):
    """Lines 2, 4, 8, 9, 10, 11, 13, 14 and 16 each carry two or more claims; line 3 names two systems."""
    text = the_source(bundled_document)["text"]
    starts = [m.start() for m in re.finditer(r"^", text, re.MULTILINE)]
    per_line: dict[int, int] = {}
    for fact in facts_of(bundled_document):
        line = max(i for i, s in enumerate(starts, 1) if s <= fact["span"]["start"])
        per_line[line] = per_line.get(line, 0) + 1
    for line in (2, 3, 4, 8, 9, 10, 11, 13, 14, 16):
        assert per_line.get(line, 0) >= 2, line
    assert per_line[8] == 3


def test_claims_are_bilingual(bundled_document):
    for fact in facts_of(bundled_document):
        assert ARABIC_LETTER.search(fact["claim"]), fact["id"]
        assert not ARABIC_LETTER.search(fact["claim_en"]), fact["id"]


def test_attribution_cues_stand_in_the_quote(bundled_document):
    attributed = [f for f in facts_of(bundled_document) if f["attributed_to"]]
    assert len(attributed) >= 10
    for fact in attributed:
        assert fact["attributed_to"]["cue"] in fact["quote"], fact["id"]


def test_unattributed_facts_have_no_reporting_verb_in_their_quote(bundled_document):
    cues = ("أفاد", "أشار", "شدد", "ذكر", "أضاف", "مضيفا")
    for fact in facts_of(bundled_document):
        if fact["attributed_to"] is None:
            assert not any(cue in fact["quote"] for cue in cues), fact["id"]


def test_stated_time_expressions_are_in_the_text(bundled_document):
    text = the_source(bundled_document)["text"]
    for fact in facts_of(bundled_document):
        time = fact["time"]
        if time and time["text"]:
            assert time["text"] in text, fact["id"]
        if time and not time["inferred"]:
            assert time["text"] and time["text"] in fact["quote"], fact["id"]


def test_dates_are_as_precise_as_the_text(bundled_document):
    by_id = {f["id"]: f for f in facts_of(bundled_document)}
    signing = by_id["ru-am-caucasus-air-defence"]["time"]
    assert (signing["value"], signing["precision"], signing["inferred"]) == ("2015-12-23", "day", True)
    kazakh = by_id["ru-kz-air-defence-2013"]["time"]
    assert (kazakh["value"], kazakh["precision"], kazakh["inferred"]) == ("2013", "year", False)
    assert by_id["ru-by-air-defence"]["time"] is None
    published = the_source(bundled_document)["published"]
    assert published["value"] == "2015-12-23" and published["inferred"] is True and "Wednesday" in published["basis"]


def test_headlines_are_facts_of_their_own(bundled_document):
    by_id = {f["id"]: f for f in facts_of(bundled_document)}
    free = by_id["ru-kz-s300-free"]
    assert "مجانا" in free["quote"] and "free of charge" in free["claim_en"]
    assert free["attributed_to"] is None
    assert by_id["cis-doctrine-headline"]["type"] == "adoption"


def test_every_entity_is_used_and_named_in_both_scripts(bundled_document):
    entities = entities_of(bundled_document)
    used = set()
    for fact in facts_of(bundled_document):
        used |= {p["entity"] for p in fact["participants"]}
        used |= {fact["place"]["entity"]} if fact["place"] else set()
        used |= {fact["attributed_to"]["entity"]} if fact["attributed_to"] else set()
    assert used == set(entities)
    for entity in entities.values():
        assert ARABIC_LETTER.search(entity["name"]["ar"]) or entity["name"]["ar"].isascii(), entity["id"]
        assert not ARABIC_LETTER.search(entity["name"]["en"]), entity["id"]


def test_aliases_carry_the_spellings_people_type(bundled_document):
    entities = entities_of(bundled_document)
    assert "شويجو" in entities["shoigu"]["aliases"]["ar"]
    assert "Shoygu" in entities["shoigu"]["aliases"]["en"]
    assert "Kirghizia" in entities["kyrgyzstan"]["aliases"]["en"]
    assert "روسيا البيضاء" in entities["belarus"]["aliases"]["ar"]
    assert "إس -300" in entities["s-300"]["aliases"]["ar"]
    for entity in entities.values():
        for lang in ("ar", "en"):
            assert entity["name"][lang] not in entity["aliases"][lang], entity["id"]


# Every claim says only what the article says (issue 15). Each rule below is checked against the article "at that
# point": the sentence of the fact's quote (each line of the article is one sentence), and, where the quote refers
# back to an earlier fact, that fact's sentence too.

# fact id: (the words of its quote that refer back, the fact they refer to)
REFERS_BACK: dict[str, tuple[str, str]] = {
    "ru-am-moscow-meeting": ("الوزيران", "ru-am-caucasus-air-defence"),  # the two ministers: Shoigu and Ohanyan
    "ru-am-cooperation-plan-2016": ("الاتفاق", "ru-am-caucasus-air-defence"),  # the agreement it was signed beside
    "ru-kz-air-defence-2013": ("مماثل", "ru-am-caucasus-air-defence"),  # a similar agreement: the Caucasus one
    "ru-kz-ministers-meeting": ("نظيره", "ru-am-caucasus-air-defence"),  # Shoigu's counterpart: Shoigu is Russia's
    "s300-decisive-contribution": ("الحديث يدور عن", "ru-kz-s300-delivered"),  # what "it is a matter of"
    "s300-growing-importance": ("هذه المنظومات", "ru-kz-s300-delivered"),  # these systems: the S-300s
    "test-range-protocols": ("الطرفين", "balkhash-agreement-2015"),  # the two sides: Russia and Kazakhstan
    "cis-69th-observers": ("حضره", "cis-69th-meeting"),  # attended it: the 69th meeting
    "cis-69th-agenda": ("الاجتماع", "cis-69th-meeting"),  # the meeting: the 69th
    "terrorism-expanding": ("اللقاء", "cis-69th-meeting"),  # the meeting: the 69th
    "real-threat-to-cis": ("الرابطة", "cis-69th-meeting"),  # the Commonwealth: whose defence ministers met
}


def antecedent(fact: dict[str, Any], document: dict[str, Any]) -> dict[str, Any] | None:
    """The fact that `fact`'s quote refers back to, if any."""
    if fact["id"] not in REFERS_BACK:
        return None
    return next(f for f in facts_of(document) if f["id"] == REFERS_BACK[fact["id"]][1])


def line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def sentence(fact: dict[str, Any], text: str) -> str:
    """The lines of the article that a fact's quote stands in."""
    first, last = line_number(text, fact["span"]["start"]), line_number(text, fact["span"]["end"] - 1)
    return "\n".join(text.split("\n")[first - 1 : last])


def context(fact: dict[str, Any], document: dict[str, Any]) -> str:
    """What a fact may draw on: its quote's sentence, and the sentence of the fact it refers back to."""
    text = the_source(document)["text"]
    earlier = antecedent(fact, document)
    return sentence(fact, text) if earlier is None else sentence(earlier, text) + "\n" + sentence(fact, text)


def test_each_line_of_the_article_is_one_sentence(bundled_document):
    """What the rules below take as a fact's sentence: no sentence ends inside a line."""
    for line in the_source(bundled_document)["text"].split("\n"):
        assert "." not in line.rstrip(".") and "؟" not in line, line


def test_a_fact_refers_back_by_words_of_its_quote_to_an_earlier_fact(bundled_document):
    for fact_id, (words, _) in REFERS_BACK.items():
        (fact,) = [f for f in facts_of(bundled_document) if f["id"] == fact_id]
        earlier = antecedent(fact, bundled_document)
        assert words in fact["quote"] and earlier["span"]["start"] < fact["span"]["start"], fact_id


def numbers(text: str) -> set[str]:
    """The numbers written in `text`, in any script's digits (`٢٠١٥` is 2015)."""
    return set(re.findall(r"[0-9]+", normalize(text)))


def test_every_number_in_a_claim_is_in_the_article_at_that_point(bundled_document):
    assert numbers("الاجتماع الـ٦٩ لعام 2016") == {"69", "2016"}
    for fact in facts_of(bundled_document):
        stated = numbers(context(fact, bundled_document))
        for field in ("claim", "claim_en"):
            assert numbers(fact[field]) <= stated, (fact["id"], field, numbers(fact[field]) - stated)


NUMBER_WORDS_AR = {
    normalize(word)
    for word in [
        *(
            tens + ending
            for tens in ("عشر", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثمان", "تسع")
            for ending in ("ون", "ين")
        ),
        *("مئة", "مائة", "ألف", "ألفين", "آلاف"),
    ]
}
NUMBER_WORDS_EN = re.compile(
    r"\b(?:(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)(?:y|ieth)|hundred|thousand)", re.I
)


def test_numbers_from_twenty_are_written_in_digits_so_that_they_can_be_checked(bundled_document):
    for fact in facts_of(bundled_document):
        words = {reading for token in tokenize(fact["claim"]) for reading in [token, *without_proclitic(token)]}
        assert not words & NUMBER_WORDS_AR, (fact["id"], words & NUMBER_WORDS_AR)
        assert not NUMBER_WORDS_EN.search(fact["claim_en"]), fact["id"]


def test_a_date_the_text_does_not_give_is_inferred_and_stays_out_of_the_claims(bundled_document):
    for fact in facts_of(bundled_document):
        time = fact["time"]
        if time is None:
            continue
        year, day = time["value"][:4], time["value"][8:].lstrip("0")
        if not time["inferred"]:  # its year and day stand in its text (a month is written as a name)
            assert {year, day} - {""} <= numbers(time["text"]), fact["id"]
        elif year not in numbers(context(fact, bundled_document)):
            assert year not in numbers(fact["claim"]) | numbers(fact["claim_en"]), fact["id"]


def named_anywhere(index: EntityIndex, words: str) -> set[str]:
    """Every entity that `words` names, a name inside a longer one included (Kazakhstan in that of the test ranges
    in Kazakhstan, the Caucasus in that of the Caucasus system)."""
    tokens = tokenize(words)
    spans = ((i, j) for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1))
    return {entity for i, j in spans for entity in index.lookup(tokens[i:j])}


def test_a_place_the_text_does_not_give_for_the_fact_is_inferred_and_stays_out_of_the_claims(bundled_document):
    """A place is stated when the article names it at that point; a reported statement is placed by what is
    claimed, so its place is named in the quote itself, never taken from where the speaker spoke."""
    index = EntityIndex(entities_of(bundled_document).values())
    named = partial(named_anywhere, index)
    placed = [f for f in facts_of(bundled_document) if f["place"] is not None]
    for fact in placed:
        place = fact["place"]
        if fact["attributed_to"] is not None:
            assert not place["inferred"] and place["entity"] in named(fact["quote"]), fact["id"]
        if place["inferred"]:
            assert place["entity"] not in named(fact["claim"]) | named(fact["claim_en"]), fact["id"]
        else:  # named by the quote, or by the quote it refers back to: a sentence may place one of its facts only
            earlier = antecedent(fact, bundled_document)
            quotes = fact["quote"] if earlier is None else earlier["quote"] + "\n" + fact["quote"]
            assert place["entity"] in named(quotes), fact["id"]
    assert {fact["place"]["inferred"] for fact in placed} == {True, False}


Counting = Callable[[str], Counter[str]]
# How the English claims name a country besides its name and aliases.
DEMONYMS = {
    "russia": "Russian",
    "armenia": "Armenian",
    "kazakhstan": "Kazakh",
    "kyrgyzstan": "Kyrgyz",
    "tajikistan": "Tajik",
    "belarus": "Belarusian",
    "azerbaijan": "Azerbaijani",
    "uzbekistan": "Uzbek",
}


def country_mentions(entities: dict[str, dict[str, Any]]) -> tuple[Counting, Counting]:
    """How often a text names each country: in Arabic (a one-word name or alias, or its adjective: روسيا, الروسي,
    الروسية), and in English (the name, an alias, the adjective)."""
    arabic: dict[str, str] = {}
    english: dict[str, re.Pattern[str]] = {}
    for country in (e for e in entities.values() if e["kind"] == "country"):
        for word in (country["name"]["ar"], *country["aliases"]["ar"]):
            (token, *more) = tokenize(word)
            if not more:
                stem = token.removesuffix("يا")
                arabic.update(dict.fromkeys((token, stem + "ي", stem + "يه"), country["id"]))
        forms = {country["name"]["en"], *country["aliases"]["en"], DEMONYMS[country["id"]]}
        english[country["id"]] = re.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(forms, key=len, reverse=True))) + r")\b"
        )

    def in_arabic(words: str) -> Counter[str]:
        found: Counter[str] = Counter()
        for token in tokenize(words):
            country = next((arabic[r] for r in [token, *without_proclitic(token)] if r in arabic), None)
            if country:
                found[country] += 1
        return found

    def in_english(words: str) -> Counter[str]:
        return +Counter({country: len(pattern.findall(words)) for country, pattern in english.items()})

    return in_arabic, in_english


def test_a_claim_names_no_party_the_text_does_not_name_there(bundled_document):
    """Each time a claim names a country (as a party, an owner, the country of a minister or a system), the article
    names it at that point: a claim does not attach a party to what the text leaves unattached."""
    in_arabic, in_english = country_mentions(entities_of(bundled_document))
    assert in_arabic("وزير الدفاع الروسي ونظيره الأرميني في روسيا") == {"russia": 2, "armenia": 1}
    assert in_english("Russia's Defence Minister and his Kazakh counterpart") == {"russia": 1, "kazakhstan": 1}
    for fact in facts_of(bundled_document):
        given = in_arabic(context(fact, bundled_document))
        for field, named in (("claim", in_arabic(fact["claim"])), ("claim_en", in_english(fact["claim_en"]))):
            assert not named - given, (fact["id"], field, dict(named - given))


# Where the article hedges, qualifies, links or leaves the agent unsaid, both claims keep it. Each rule: the words in
# the quote's sentence; what they govern, as a claim would say it (a pattern, so that a claim about something else in
# the sentence is not held to them, and a claim that turns a passive into an active verb is); and what the Arabic
# and the English claim must then say.
SIGNING = r"(?<!\w)[وفبل]?(?:وقع|توقيع)"  # وقع، وقعت، وقعا، توقيع; not واقع or موقع
UNIFYING = r"(?<!\w)[وفبل]?(?:وحد|توحيد)"  # وحدت، توحيد; not موحد
PASSIVE = r"\b(?:is|are|was|were|been|being)\s+(?:\w+\s+)?(?:signed|unified)\b"
KEPT = [
    ("إن لم نقل", "حاسم", "إن لم نقل", r"\bnot to say\b"),
    ("بصدد", "إبرام|ستخدم", "بصدد", r"\babout to\b"),
    ("شبه يومية", "تهديد", "شبه يومية", r"\balmost daily\b"),
    ("يمكن اعتباره", "واقع", "يمكن اعتباره", r"\bcan be considered\b"),
    ("يمكن الحديث اليوم", "شكلا عمليا", "يمكن الحديث اليوم", r"\bone can speak today\b"),
    ("حاليا", "إنشاء", "حاليا", r"\bcurrently\b"),
    ("من قبل", UNIFYING, "من قبل", r"\bpreviously\b"),
    ("إذ", "أهمية", "إذ", r"\bsince\b"),
    ("جرى توقيع", SIGNING, "جرى", PASSIVE),
    ("تم توقيع", SIGNING, "تم", PASSIVE),
    ("جرى توحيد", UNIFYING, "جرى", PASSIVE),
]


def says(words: str, phrase: str) -> bool:
    """`phrase` stands in `words` as whole words, perhaps with an attached conjunction (`وجرى`), after normalising."""
    return re.search(r"(?<!\w)[وف]?" + re.escape(normalize(phrase)) + r"(?!\w)", normalize(words)) is not None


def hold_to(document: dict[str, Any], rules: list[tuple[str, str, str, str]]) -> None:
    """Every claim whose sentence has a rule's words, about what they govern, says what the rule asks; and every
    rule holds some claim to it (a rule that no longer applies is a rule to drop, not one that passes)."""
    text = the_source(document)["text"]
    held: set[str] = set()
    for fact in facts_of(document):
        for marker, governed, arabic, english in rules:
            if says(sentence(fact, text), marker) and re.search(normalize(governed), normalize(fact["claim"])):
                held.add(marker)
                assert says(fact["claim"], arabic), (fact["id"], arabic)
                assert re.search(english, fact["claim_en"]), (fact["id"], english)
    assert held == {marker for marker, *_ in rules}


def test_hedges_modality_links_and_voice_survive_into_both_claims(bundled_document):
    hold_to(bundled_document, KEPT)


# Words the article chose where a paraphrase would say something else (docs/DATA.md, "Words kept"), in the same form
# as KEPT: the Arabic claim keeps the article's word, the English claim its translation.
WORDS_KEPT = [
    ("تشهد", "تهديد", "تشهد", r"\bfaces\b"),  # تشهد (sees, undergoes) threats; not تواجه (confronts)
    ("الدول المعنية", "نقطة", "الدول المعنية", r"\bstates concerned\b"),  # not "participating states"
    ("تضمنت", "أجندة", "تضمنت", r"\bincluded\b"),  # not "held"
    ("تدل على وجود", "الأزمات", "تدل", r"\bpoint to the existence of\b"),  # not "show"
    ("جرى الاجتماع", "بمشاركة", "جرى", r"\bwas held\b"),
]


def test_the_article_s_own_words_survive_into_both_claims(bundled_document):
    hold_to(bundled_document, WORDS_KEPT)


# Phrases that name a kind of thing, or something else than the entity that would carry them as an alias.
NOT_ONE_ENTITY = [
    "الرابطة",
    "دول الرابطة",
    "الدول المستقلة",
    "the Commonwealth",
    "مجلس رؤساء الوزراء",
    "مجلس وزراء الدفاع",
    "Council of Defence Ministers",
    "Council of Defense Ministers",
    "اللجنة التنفيذية",
    "Executive Committee",
    "النظام الموحد للدفاع الجوي",
    "unified air defence system",
    "نظام اتصالات موحد",
    "نظام الاتصالات الموحد",
    "unified communications system",
    "unified communication system",
    "حقول الاختبار",
    "حقول اختبار",
    "ميادين الاختبار",
    "test ranges",
    "test sites",
    "proving grounds",
    "testing grounds",
    "خطة التعاون العسكري",
    "military cooperation plan",
    "منظومة الإنذار المبكر",
    "نظام الإنذار المبكر",
    "early warning system",
    "missile early warning system",
    "عقيدة الدفاع الجوي الفضائي",
    "aerospace defence doctrine",
    "MoD",
    "Moscow City",
    # the ministry's test ranges anywhere (Kapustin Yar, Plesetsk), not those in Kazakhstan
    "حقول اختبار وزارة الدفاع الروسية",
    "Russian Defence Ministry test ranges",
    "Russian Defense Ministry test ranges",
    # principles of any kind, for anything
    "المبادئ التنظيمية والفنية والقانونية",
    "organisational, technical and legal principles",
    "organizational, technical and legal principles",
    "communications principles",
]
# Spellings that are no name in use: روسيه is روسية, the adjective "Russian" (feminine), once normalised; the
# Russian Federation is روسيا الاتحادية or الاتحاد الروسي, never a جمهورية.
NOT_IN_USE = ["روسيه", "جمهورية روسيا الاتحادية"]
# Words carried over from Russian that Arabic does not use: مضلع (полигон) for a test range.
CALQUES = ["مضلع"]


def test_an_alias_names_its_entity_and_nothing_else(bundled_document):
    entities = entities_of(bundled_document)
    index = EntityIndex(entities.values())
    not_one = {normalize(phrase) for phrase in [*NOT_ONE_ENTITY, *NOT_IN_USE]}
    calques = [normalize(word) for word in CALQUES]
    for entity in entities.values():
        for spelling in spellings(entity):
            assert index.lookup(tokenize(spelling)) == {entity["id"]}, (entity["id"], spelling)
        for alias in (*entity["aliases"]["ar"], *entity["aliases"]["en"]):
            assert normalize(alias) not in not_one, (entity["id"], alias)
            words = {reading for token in tokenize(alias) for reading in [token, *without_proclitic(token)]}
            assert not any(word.startswith(calque) for word in words for calque in calques), (entity["id"], alias)


# ISO 3166-1 alpha-3 codes that are English words. Search takes a name in a query before its words (docs/SEARCH.md),
# so a code kept as an alias turns the word into the country: with ARM, `arm` found Armenia. Every code of two letters
# is a word, a unit or an abbreviation somewhere (with BY, `signed by Shoigu` asked for Belarus and found nothing; AM,
# KG and RF made `am`, `kg` and `rf` Armenia, Kyrgyzstan and Russia), so no alias has fewer than three.
CODES_THAT_ARE_WORDS = [
    *("and", "are", "arm", "bel", "ben", "bra", "can", "cod", "cog", "col", "cub", "dom", "fin", "fro", "gab"),
    *("gin", "gum", "guy", "hun", "ken", "lie", "mac", "mar", "nor", "pan", "per", "pol", "pry", "sen", "ton", "tun"),
]


def test_no_alias_is_an_everyday_word(bundled_document):
    for entity in entities_of(bundled_document).values():
        for alias in (*entity["aliases"]["ar"], *entity["aliases"]["en"]):
            tokens = tokenize(alias)
            if len(tokens) == 1:
                assert len(tokens[0]) > 2 and tokens[0] not in CODES_THAT_ARE_WORDS, (entity["id"], alias)


# The roles whose meaning (cli/vocabulary.py) ties them to a kind of fact, and the fact types they fit: the states at
# a meeting are its participants, not parties (a party is on one side of an agreement or cooperation); a body's
# policy has an actor and a subject, no parties. An assessment judges something of another kind (a delivery, a joint
# system) and keeps the roles of what it judges. The other roles fit any fact.
ROLE_FITS = {
    "signatory": {"agreement"},
    "party": {"agreement", "cooperation", "integration", "assessment"},
    "participant": {"meeting"},
    "observer": {"meeting"},
    "supplier": {"delivery", "assessment"},
    "recipient": {"delivery", "assessment"},
    "user": {"facility-use"},
    "owner": {"facility-use"},
    "host": {"facility-use"},
    "document": {"agreement", "adoption"},
    "target": {"threat"},
    "publisher": {"publication"},
}
ANY_FACT = {"actor", "object", "subject", "region"}


def test_a_role_fits_the_type_of_its_fact(bundled_document):
    assert set(ROLE_FITS) | ANY_FACT == set(ROLES) and not set(ROLE_FITS) & ANY_FACT
    assert set().union(*ROLE_FITS.values()) <= set(FACT_TYPES)
    for fact in facts_of(bundled_document):
        for participant in fact["participants"]:
            fits = ROLE_FITS.get(participant["role"])
            assert fits is None or fact["type"] in fits, (fact["id"], participant["entity"], participant["role"])


def named_at_that_point(document: dict[str, Any]) -> Callable[[dict[str, Any]], set[str]]:
    """What the article names at a fact's point: any entity by a name or alias, and a country by its adjective."""
    entities = entities_of(document)
    index = EntityIndex(entities.values())
    in_arabic, _ = country_mentions(entities)

    def named(fact: dict[str, Any]) -> set[str]:
        words = context(fact, document)
        return named_anywhere(index, words) | set(in_arabic(words))

    return named


def test_a_claim_names_no_entity_the_text_does_not_name_there(bundled_document):
    """As a claim names no country the text does not name there, it names no system, body, place or person: the plan
    signed "alongside the agreement" names the Caucasus system through the sentence its quote refers back to."""
    index = EntityIndex(entities_of(bundled_document).values())
    assert named_anywhere(index, "نظام إقليمي موحد للدفاع الجوي في منطقة القوقاز") == {
        "caucasus-air-defence-system",
        "caucasus",
    }
    named_there = named_at_that_point(bundled_document)
    for fact in facts_of(bundled_document):
        given = named_there(fact)
        for field in ("claim", "claim_en"):
            named = {entity for _, _, found in index.mentions(tokenize(fact[field])) for entity in found}
            assert named <= given, (fact["id"], field, named - given)


# The participants that the article does not name at that point: the readings of docs/DATA.md, by their heading.
READINGS = {
    ("ru-kz-air-defence-2013", "russia-kazakhstan-air-defence-system"): '"A similar agreement"',
    ("s300-decisive-contribution", "russia-kazakhstan-air-defence-system"): 'Shoigu\'s "contribution"',
    ("ru-kz-system-a-reality", "russia-kazakhstan-air-defence-system"): 'Shoigu\'s "contribution"',
    ("ru-kz-system-a-reality", "russia"): 'Shoigu\'s "contribution"',
}


def test_every_participant_is_named_at_that_point_or_is_a_documented_reading(bundled_document):
    """A link adds no party, agent or thing the text does not give: what the sentence, or the one it refers back to,
    does not name is a reading, and the reading is argued in docs/DATA.md."""
    data = (REPO / "docs" / "DATA.md").read_text(encoding="utf-8")
    named_there = named_at_that_point(bundled_document)
    unnamed = set()
    for fact in facts_of(bundled_document):
        given = named_there(fact)
        unnamed |= {(fact["id"], p["entity"]) for p in fact["participants"] if p["entity"] not in given}
    assert unnamed == set(READINGS)
    for heading in READINGS.values():
        assert f"**{heading}" in data, heading


def test_the_year_is_inferred_and_the_basis_weighs_every_year_the_weekday_allows(bundled_document):
    published = the_source(bundled_document)["published"]
    wednesdays = [year for year in range(2000, 2030) if datetime.date(year, 12, 23).weekday() == 2]
    assert published["inferred"] is True and published["value"][:4] in map(str, wednesdays)
    assert "2015" not in published["text"]
    for year in wednesdays:
        assert str(year) in published["basis"], year
    assert "signing day" in published["basis"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "≈2015, the year inferred" in readme and not re.search(r"(?<!≈)\b2015\b", readme)
