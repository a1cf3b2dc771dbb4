"""Citations of facts: the quote, the claim, who said it and where it stands, as plain text, Markdown or CSL-JSON."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any, NamedTuple, TextIO

from .errors import InvalidStore, Unwritable
from .model import Record, field_value, whole_number
from .sanitize import sanitize

ARTICLE_ITSELF = "the article itself"
NO_DATE = "n.d."


def text_of(record: Any, dotted: str) -> str:
    """The string at a dotted path of a record, or "" where there is none (a store read is not validated)."""
    value = field_value(record, dotted) if isinstance(record, dict) else None
    return value if isinstance(value, str) else ""


def label(value: Any) -> str:
    """An id as text, whatever a store holds there."""
    return value if isinstance(value, str) else str(value)


class Anchor(NamedTuple):
    """Where a fact's quote stands: its source, and the span of the quote in the source's text (code points)."""

    source: Record
    text: str
    start: int
    end: int

    @property
    def lines(self) -> tuple[int, int]:
        """The lines (from 1) of the source text the quote starts and ends on."""
        first = self.text.count("\n", 0, self.start) + 1
        return first, first + self.text.count("\n", self.start, self.end - 1)


def anchor(fact: Record, sources: Mapping[str, Record]) -> Anchor:
    """Where a fact's quote stands; InvalidStore when its span does not hold its quote in a source of the store."""
    source_id, span = fact.get("source"), fact.get("span")
    source = sources.get(source_id) if isinstance(source_id, str) else None
    text = source.get("text") if source is not None else None
    start = whole_number(span.get("start")) if isinstance(span, dict) else None
    end = whole_number(span.get("end")) if isinstance(span, dict) else None
    if (
        not isinstance(text, str)
        or start is None
        or end is None
        or not 0 <= start < end <= len(text)
        or text[start:end] != fact.get("quote")
    ):
        raise InvalidStore(
            f"fact {label(fact.get('id'))!r}: its span does not hold its quote in a source of the store, so it "
            "cannot be located: `facts validate` says what is wrong"
        )
    return Anchor(source, text, start, end)


def speaker(fact: Record, entities: Mapping[str, Record]) -> tuple[str, str] | None:
    """Who the fact is attributed to, by English name (else id), and the Arabic cue word; None when the article
    asserts it itself."""
    attributed = fact.get("attributed_to")
    if not isinstance(attributed, dict):
        return None
    entity_id = attributed.get("entity")
    entity = entities.get(entity_id) if isinstance(entity_id, str) else None
    return text_of(entity, "name.en") or label(entity_id), text_of(attributed, "cue")


def published(source: Record) -> str:
    """The date a source was published, `≈` before it when inferred; `n.d.` when it has none."""
    value = text_of(source, "published.value")
    if not value:
        return NO_DATE
    return ("≈" if field_value(source, "published.inferred") is True else "") + value


def _position(where: Anchor) -> str:
    first, last = where.lines
    lines = f"line {first}" if first == last else f"lines {first}–{last}"
    return f"{lines}, code points {where.start}–{where.end}"


def attribution(fact: Record, where: Anchor, entities: Mapping[str, Record]) -> str:
    """Who said it, in which source, when, and where in it: `the article itself: RT (ar), ≈2015-12-23, line 6,
    code points 646–690; fact ru-kz-s300-free`."""
    source = where.source
    outlet = text_of(source, "publisher") or label(source.get("id"))
    language = text_of(source, "language")
    outlet += f" ({language})" if language else ""
    said = speaker(fact, entities)
    if said is None:
        who = f"{ARTICLE_ITSELF}: {outlet}"
    else:
        name, cue = said
        who = f"{name} ({cue}), as reported by {outlet}" if cue else f"{name}, as reported by {outlet}"
    return f"{who}, {published(source)}, {_position(where)}; fact {label(fact.get('id'))}"


def plain_citation(fact: Record, where: Anchor, entities: Mapping[str, Record]) -> str:
    """A citation a person can paste: the quote verbatim in «», the English claim, and the attribution."""
    lines = [f"«{where.text[where.start : where.end]}»", text_of(fact, "claim_en")]
    return "\n".join([*filter(None, lines), f"— {attribution(fact, where, entities)}"]) + "\n"


# Markdown, as two kinds of reader read it: CommonMark (markdown-it, Pandoc's `commonmark`...) and Pandoc's own
# Markdown, whose default extensions read more as markup. A backslash makes any ASCII punctuation the character itself
# in both. Anywhere in a line, escaped: CommonMark's emphasis, code, links, autolinks and HTML, entities, escapes,
# tables, headings; Pandoc's smart punctuation ("quotes", apostrophes, -- and --- dashes, ... ellipses),
# ^superscript^, ~subscript~, $math$, @citations.
_INLINE_MARKUP = re.compile(r"""[\\`*_\[\]<>&|~#^$"'@]|--+|\.\.\.+""")
# ... and Pandoc reads a curly opening quote as a quotation's start, and one left open as an apostrophe (`‘a` is
# `’a`): it is written as a character reference (CommonMark escapes only ASCII).
_OPENING_QUOTE = "\u2018"
# ... a nonbreaking space after an abbreviation (Pandoc's smart punctuation, its default list: data/abbreviations):
# its period is escaped when a space follows (last, once the characters before it are as the reader will see them).
_ABBREVIATIONS = (
    "aet aetat al Apr Aug bk Bros c Capt cf ch chap chs Co col Corp cp d Dec Dr e.g ed eds esp f fasc Feb ff fig fl "
    "fol fols Fr Gen Gov Hon i.e ill Inc incl Jan Jr Jul Jun Ltd M.A M.D Mar Mr Mrs Ms n n.b nn No Nov Oct p Ph.D pp "
    "Pres Prof pt q.v Rep Rev s.v s.vv saec sec Sen Sep Sept Sgt Sr St univ viz vol vs"
)
_ABBREVIATION = re.compile(
    r"(?<![^\W_])(" + "|".join(map(re.escape, sorted(_ABBREVIATIONS.split(), key=len, reverse=True))) + r")\.(?= )"
)
# ... and at the start of a line: a list item (`-`, `+`, `1.`, `2)`, and Pandoc's `a.`, `iv)`, `(b)`), a heading's
# underline (`=`), a definition (`:`), a title block (`%`).
_LINE_START_MARKUP = re.compile(r"^(?:([-+=:%])|(\(?(?:[0-9]+|[A-Za-z]|[ivxlcdm]+|[IVXLCDM]+))(?=[.)](?:\s|$)))")
# The white space readers drop at the ends of a paragraph (markdown-it trims what JavaScript's trim() does, FEFF
# included; Pandoc drops a byte-order mark at the start of its input).
_EDGE_SPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace()) + "\ufeff"
# ... and inside one: Pandoc reads a tab, or a run of spaces, as one space; a line break is a paragraph's end.
_INNER_SPACE = re.compile(r"(?<= ) |[\t\n\r]")
# Control characters other than tab and line breaks: no Markdown reader shows them, and none carries them all (U+0000
# is U+FFFD to every CommonMark reader, written or referred to; markdown-it trims U+000B at the ends and turns a
# reference to any of them into U+FFFD; Pandoc reads U+0091 and U+0093 as quotation marks).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _reference(char: str) -> str:
    return f"&#{ord(char)};"


def _escape_inline(match: re.Match[str]) -> str:
    return "".join(f"\\{char}" for char in match[0])


@cache
def _composing_starters() -> frozenset[str]:
    """The characters that are not combining marks but compose with the one before them under NFC: a Hangul vowel
    or final consonant, some Indic vowel signs (Unicode's canonical decompositions of two characters, the second
    of class 0)."""
    found = {chr(code) for code in [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)]}
    for code in range(0x30000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<") and unicodedata.combining(chr(int(parts[1], 16))) == 0:
            found.add(chr(int(parts[1], 16)))
    return frozenset(found)


def _starts_segment(char: str) -> bool:
    """Whether NFC leaves what comes before `char` alone: a character of class 0 that composes with nothing before
    it, and does not decompose to a combining mark."""
    return (
        unicodedata.combining(char) == 0
        and unicodedata.combining(unicodedata.normalize("NFD", char)[0]) == 0
        and char not in _composing_starters()
    )


def _nfc_stable(markdown: str) -> str:
    """Markdown that NFC leaves as it is (Pandoc's CommonMark reader normalises its input to NFC): where a run of
    characters is not in NFC (an Arabic shadda before its vowel, a hamza written as a combining mark, U+2000), its
    combining marks, and any character NFC would change, as character references, which readers do not normalise."""
    if unicodedata.is_normalized("NFC", markdown):
        return markdown
    segments: list[str] = []
    for char in markdown:
        if segments and not _starts_segment(char):
            segments[-1] += char
        else:
            segments.append(char)
    return "".join(map(_nfc_stable_segment, segments))


def _nfc_stable_segment(segment: str) -> str:
    """A character and the marks NFC would compose or reorder with it: as it is when in NFC, else the marks (and
    the character, if NFC changes it alone) as character references."""
    if unicodedata.is_normalized("NFC", segment):
        return segment
    head = segment[0] if _starts_segment(segment[0]) and unicodedata.is_normalized("NFC", segment[0]) else ""
    return head + "".join(map(_reference, segment[len(head) :]))


def markdown_text(text: str) -> str:
    """Text as one line of Markdown that renders as exactly that text in CommonMark and in Pandoc's Markdown: markup
    characters escaped; line breaks, tabs, runs of spaces and the white space at its ends (which readers drop,
    collapse or read as code or a line break) as character references, as is what NFC would change. Unwritable
    when it holds a control character other than tab and line breaks, which Markdown cannot carry."""
    control = _CONTROL.search(text)
    if control:
        raise Unwritable(
            f"Markdown cannot carry U+{ord(control[0]):04X}, a control character: --format plain and csl-json carry "
            "every character"
        )
    escaped = _INLINE_MARKUP.sub(_escape_inline, text).replace(_OPENING_QUOTE, _reference(_OPENING_QUOTE))
    escaped = _LINE_START_MARKUP.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\", escaped)
    body = escaped.strip(_EDGE_SPACE)
    start = len(escaped) - len(escaped.lstrip(_EDGE_SPACE))
    end = start + len(body)
    body = _INNER_SPACE.sub(lambda m: _reference(m[0]), body)
    edges = "".join(map(_reference, escaped[:start])), "".join(map(_reference, escaped[end:]))
    return _ABBREVIATION.sub(r"\1\\.", _nfc_stable(edges[0] + body + edges[1]))


def markdown_citation(fact: Record, where: Anchor, entities: Mapping[str, Record]) -> str:
    """The citation in Markdown: the quote as a block quote, the English claim, the attribution; Unwritable, naming
    the fact, when one of them holds a character Markdown cannot carry."""
    try:
        quote = "> " + markdown_text(where.text[where.start : where.end])
        claim = markdown_text(text_of(fact, "claim_en"))
        source = markdown_text(f"— {attribution(fact, where, entities)}")
    except Unwritable as error:
        raise Unwritable(f"fact {label(fact.get('id'))!r}: {error}") from None
    return "\n\n".join(block for block in (quote, claim, source) if block) + "\n"


def write_citations(
    facts: list[Record],
    sources: Mapping[str, Record],
    entities: Mapping[str, Record],
    out: TextIO,
    *,
    markdown: bool,
    terminal: bool,
) -> None:
    """Each fact's citation, a blank line between them; sanitised for a terminal (it may be a hostile store's).
    Every citation is made before any is written: one that cannot be (a fact not located, a text Markdown cannot
    carry) leaves the output empty."""
    cite = markdown_citation if markdown else plain_citation
    anchors = [anchor(fact, sources) for fact in facts]
    citations = [cite(fact, where, entities) for fact, where in zip(facts, anchors, strict=True)]
    for index, text in enumerate(citations):
        out.write(("\n" if index else "") + (sanitize(text, keep_newlines=True) if terminal else text))


def _issued(source: Record) -> dict[str, Any] | None:
    """A source's publication date as a CSL date: its parts, at its precision; `circa` when it is inferred."""
    value = text_of(source, "published.value")
    parts = value.split("-")
    if not value or len(parts) > 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    issued: dict[str, Any] = {"date-parts": [[int(part) for part in parts]]}
    if field_value(source, "published.inferred") is True:
        issued["circa"] = True
    return issued


def _lines(where: Anchor) -> str:
    first, last = where.lines
    return str(first) if first == last else f"{first}–{last}"


def csl_item(source: Record, cited: list[tuple[Record, Anchor]], entities: Mapping[str, Record]) -> dict[str, Any]:
    """A CSL-JSON item for a source (a newspaper article: publisher, language, date), cited at facts: in `note`, a
    line per fact with its locator and quote; in `custom.facts`, each fact's locator and label (as a CSL cite-item
    has them), quote, claims, speaker and span."""
    item: dict[str, Any] = {"id": label(source.get("id")), "type": "article-newspaper"}
    outlet = text_of(source, "publisher")
    if outlet:
        item["container-title"] = item["publisher"] = outlet
    if text_of(source, "language"):
        item["language"] = text_of(source, "language")
    issued = _issued(source)
    if issued:
        item["issued"] = issued
    item["note"] = "\n".join(f"line {_lines(where)}: «{where.text[where.start : where.end]}»" for _, where in cited)
    facts = [
        {
            "fact": label(fact.get("id")),
            "locator": _lines(where),
            "label": "line",
            "quote": where.text[where.start : where.end],
            "claim": fact.get("claim"),
            "claim_en": fact.get("claim_en"),
            "speaker": (speaker(fact, entities) or (None,))[0],
            "attributed_to": fact.get("attributed_to"),
            "span": {"start": where.start, "end": where.end},
        }
        for fact, where in cited
    ]
    item["custom"] = {"published": source.get("published"), "facts": facts}
    return item


def csl_items(facts: list[Record], sources: Mapping[str, Record], entities: Mapping[str, Record]) -> list[Any]:
    """The CSL-JSON items of the sources of the facts, one each, in the order the facts first cite them: an
    array, as reference managers and Pandoc read it (a source cited at two facts is one reference)."""
    cited: dict[str, tuple[Record, list[tuple[Record, Anchor]]]] = {}
    for fact in facts:
        where = anchor(fact, sources)
        cited.setdefault(label(where.source.get("id")), (where.source, []))[1].append((fact, where))
    return [csl_item(source, facts_cited, entities) for source, facts_cited in cited.values()]
