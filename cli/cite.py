"""Citations of facts: the quote, the claim, who said it and where it stands, as plain text, Markdown or CSL-JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple, TextIO

from .errors import InvalidStore
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


# CommonMark reads these as markup anywhere in a line; a backslash makes each the character itself.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&|~#])")
# ... and these at the start of a line: a list, a heading's underline, a thematic break, an ordered list's number.
_LINE_START_MARKUP = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))")


def _references(text: str) -> str:
    return "".join(f"&#{ord(char)};" for char in text)


def markdown_text(text: str) -> str:
    """Text as one line of Markdown that renders as exactly that text: markup characters escaped; line breaks, and
    the white space at its ends (which Markdown drops, or reads as code or a line break), as character
    references."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", text)
    escaped = _LINE_START_MARKUP.sub(lambda m: f"{m[1]}\\" if m[1].isdigit() else f"\\{m[1]}", escaped)
    body = escaped.strip()
    start = len(escaped) - len(escaped.lstrip())
    end = start + len(body)
    body = body.replace("\r", "&#13;").replace("\n", "&#10;")
    return _references(escaped[:start]) + body + _references(escaped[end:])


def markdown_citation(fact: Record, where: Anchor, entities: Mapping[str, Record]) -> str:
    """The citation in Markdown: the quote as a block quote, the English claim, the attribution."""
    quote = "> " + markdown_text(where.text[where.start : where.end])
    claim = markdown_text(text_of(fact, "claim_en"))
    source = markdown_text(f"— {attribution(fact, where, entities)}")
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
    """Each fact's citation, a blank line between them; sanitised for a terminal (it may be a hostile store's)."""
    cite = markdown_citation if markdown else plain_citation
    anchors = [anchor(fact, sources) for fact in facts]  # every fact located before anything is written
    for index, (fact, where) in enumerate(zip(facts, anchors, strict=True)):
        text = cite(fact, where, entities)
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
