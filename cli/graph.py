"""The graph of who did what with whom, and its forms: node-link JSON, DOT, Mermaid, plain lines, SVG and PNG.

A node for each fact and for each entity it involves, a link from the fact to each of its entities labelled with the
roles the entity has in it: a bipartite graph, so that a fact of six participants loses none. The pictures (SVG,
PNG) are drawn by Graphviz's `dot` from the DOT. Never imports Rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from itertools import pairwise
from typing import Any, NamedTuple, TextIO

from .errors import MissingProgram, ProgramFailed, UsageProblem
from .model import Record, entity_references
from .signals import ending_on_signals
from .vocabulary import ENTITY_KINDS, FACT_TYPES, ROLES, STATUSES, Term
from .writers import plain_cell, write_json

ENTITY, FACT = "entity", "fact"
SPEAKER, PLACE = "speaker", "place"
LINK_ROLES: dict[str, Term] = {
    **ROLES,
    SPEAKER: Term("متحدث", "Speaker", "who the fact is attributed to"),
    PLACE: Term("مكان", "Place", "where it took place"),
}
"""The roles an entity can have in a fact: a participant's role, the speaker the fact is attributed to, its place."""

_SEPARATORS = {"ar": "، ", "en": ", "}


class Node(NamedTuple):
    """An entity or a fact. `id` is unique in the graph (`entity:russia`, `fact:ru-kz-s300-free`: an entity and a
    fact may share an id); `record` the id in the store; `kind` an entity's kind or a fact's type; `label` its
    name, or the label of its type, in the graph's language; `text` a fact's claim in that language."""

    id: str
    group: str
    record: str
    kind: str
    label: str
    status: str = ""
    text: str = ""


class Link(NamedTuple):
    """A fact (`source`, a node id) and an entity it involves (`target`), with the entity's roles in it in the order
    the fact gives them: its participant roles, then `speaker`, then `place`."""

    source: str
    target: str
    roles: tuple[str, ...]


class Graph(NamedTuple):
    """Entities (in store order, then any a fact names that the store does not hold) and facts (in the order given),
    and one link for each fact and entity it involves: an entity has as many links as facts involve it."""

    nodes: list[Node]
    links: list[Link]
    lang: str

    def entities(self) -> list[Node]:
        return [node for node in self.nodes if node.group == ENTITY]

    def facts(self) -> list[Node]:
        return [node for node in self.nodes if node.group == FACT]


def term_label(vocabulary: dict[str, Term], key: Any, lang: str) -> str:
    """The label of a vocabulary's word in `lang`, or the word as stored when the vocabulary has no such word."""
    term = vocabulary.get(key) if isinstance(key, str) else None
    return getattr(term, lang) if term else "" if key is None else str(key)


def roles_label(roles: Sequence[str], lang: str) -> str:
    """The roles of a link in `lang`, comma-separated; a participant without a role (`""`) adds none."""
    return _SEPARATORS.get(lang, ", ").join(term_label(LINK_ROLES, role, lang) for role in roles if role)


def tied_label(name: str, roles: str) -> str:
    """An entity with its roles, as the outline names the others a fact ties: `Russia (Party)`, or `Russia`."""
    return f"{name} ({roles})" if roles else name


def fact_roles(fact: Record) -> dict[str, list[str]]:
    """Each entity a fact involves (those `facts list --entity` finds it by), with its roles in the fact, in
    order: a participant's role, `speaker` for who it is attributed to, `place` for its place."""
    roles: dict[str, list[str]] = {}
    for field, entity in entity_references(fact):
        if not isinstance(entity, str):
            continue
        if field.startswith("participants/"):
            role = fact["participants"][int(field.split("/")[1])].get("role")
        else:
            role = SPEAKER if field.startswith("attributed_to") else PLACE
        roles.setdefault(entity, []).append("" if role is None else str(role))
    return roles


def _name(entity: Record, lang: str) -> str:
    name = entity.get("name")
    value = name.get(lang) if isinstance(name, dict) else None
    return value if isinstance(value, str) else str(entity.get("id", ""))


def build_graph(facts: Sequence[Record], entities: Iterable[Record], lang: str) -> Graph:
    """The graph of `facts`: each fact linked to every entity it involves (participants, speaker, place), labels in
    `lang`. Entities no fact involves are left out."""
    involved: dict[str, None] = {}
    fact_nodes, links, seen = [], [], set()
    for position, fact in enumerate(facts):
        record = str(fact.get("id", ""))
        node_id = f"{FACT}:{record}"
        if node_id in seen:  # two facts with one id (an invalid store): both kept, told apart
            node_id = f"{node_id}#{position + 1}"
        seen.add(node_id)
        claim = fact.get("claim_en" if lang == "en" else "claim")
        fact_nodes.append(
            Node(
                node_id,
                FACT,
                record,
                str(fact.get("type", "")),
                term_label(FACT_TYPES, fact.get("type"), lang),
                str(fact.get("status", "")),
                claim if isinstance(claim, str) else "",
            )
        )
        for entity_id, entity_roles in fact_roles(fact).items():
            involved[entity_id] = None
            links.append(Link(node_id, f"{ENTITY}:{entity_id}", tuple(entity_roles)))
    known = {e["id"]: e for e in entities if isinstance(e.get("id"), str) and e["id"] in involved}
    entity_nodes = [
        Node(f"{ENTITY}:{entity_id}", ENTITY, entity_id, str(entity.get("kind", "")), _name(entity, lang))
        for entity_id, entity in known.items()
    ]
    entity_nodes += [Node(f"{ENTITY}:{e}", ENTITY, e, "", e) for e in involved if e not in known]
    return Graph(entity_nodes + fact_nodes, links, lang)


# Node-link data, as networkx's node_link_graph and d3's force layout read it.


def node_link(graph: Graph) -> dict[str, Any]:
    """The graph as node-link data: `nodes` (each with a unique `id`, its `group`, `bipartite` 0 for entities and 1
    for facts as networkx's bipartite algorithms expect, the store's `record` id and its labels) and `links` (each
    with `source` and `target` node ids, the `roles` and their `label`)."""
    nodes = []
    for node in graph.nodes:
        data: dict[str, Any] = {"id": node.id, "group": node.group, "bipartite": int(node.group == FACT)}
        data["record"] = node.record
        if node.group == ENTITY:
            data.update(kind=node.kind, label=node.label)
        else:
            data.update(type=node.kind, status=node.status, label=node.label, claim=node.text)
        nodes.append(data)
    links = [
        {"source": e.source, "target": e.target, "roles": list(e.roles), "label": roles_label(e.roles, graph.lang)}
        for e in graph.links
    ]
    return {"directed": False, "multigraph": False, "graph": {"lang": graph.lang}, "nodes": nodes, "links": links}


def write_node_link(graph: Graph, out: TextIO) -> None:
    write_json(node_link(graph), out)


def write_plain(graph: Graph, out: TextIO) -> None:
    """One line per link, tab-separated, no header: fact id, fact type, the entity's roles (comma-separated),
    entity id, entity kind, entity name in the graph's language; escaped as `plain` escapes (`\\t`, `\\n`)."""
    entities = {node.id: node for node in graph.entities()}
    facts = {node.id: node for node in graph.facts()}
    for link in graph.links:
        fact, entity = facts[link.source], entities[link.target]
        cells = (fact.record, fact.kind, ",".join(link.roles), entity.record, entity.kind, entity.label)
        out.write("\t".join(plain_cell(cell) for cell in cells) + "\n")


# How the pictures tell things apart: an entity's kind by its shape, a fact's type by its fill colour and its status
# by its outline; a link's line says whether the entity takes part, is the speaker or is the place.

DOT_SHAPES = {
    "person": "ellipse",
    "country": "hexagon",
    "organisation": "box3d",
    "place": "house",
    "weapon-system": "parallelogram",
    "defence-system": "trapezium",
    "facility": "cylinder",
    "document": "note",
}
MERMAID_SHAPES = {
    "person": ('(["', '"])'),
    "country": ('{{"', '"}}'),
    "organisation": ('[["', '"]]'),
    "place": ('>"', '"]'),
    "weapon-system": ('[/"', '"/]'),
    "defence-system": ('[/"', '"\\]'),
    "facility": ('[("', '")]'),
    "document": ('[\\"', '"\\]'),
}
UNKNOWN_SHAPE, UNKNOWN_MERMAID = "egg", ('(("', '"))')
# Thirteen fills told apart: the most distant of the light colours (black text on each at a contrast of 8 or more)
# by CIEDE2000, at least 16 from each other and from white (the fill of an unknown type); then given to the types
# by sense (an agreement blue, a meeting green, a threat red). The old ColorBrewer tints were 3 apart (statement and
# publication) and 4 (agenda and policy).
FACT_COLOURS = {
    "agreement": "#90b2eb",
    "meeting": "#8cc644",
    "agenda": "#a7b897",
    "integration": "#0dcbc3",
    "cooperation": "#b2e1ea",
    "delivery": "#fd9320",
    "facility-use": "#e08af3",
    "adoption": "#c0fdcc",
    "policy": "#ebcce7",
    "assessment": "#f3f55d",
    "threat": "#f78c9e",
    "statement": "#e0bba8",
    "publication": "#d1ad41",
}
UNKNOWN_COLOUR = "#ffffff"
STATUS_LINES = {"done": "solid", "ongoing": "dashed", "planned": "dotted"}
LINK_LINES = {SPEAKER: "dashed", PLACE: "dotted"}
assert set(DOT_SHAPES) == set(MERMAID_SHAPES) == set(ENTITY_KINDS) and set(FACT_COLOURS) == set(FACT_TYPES)
assert set(STATUS_LINES) == set(STATUSES)
FONT = "DejaVu Sans,sans-serif"
"""DejaVu Sans draws Arabic, Latin and the digits in one font (a fallback font's joins differ)."""
ACTORS = frozenset({"person", "country", "organisation"})
"""The kinds drawn left of the facts (who); every other kind, right of them (what, where)."""
LINE_LENGTH = 24
"""A name longer than this many characters is drawn on several lines, broken between words."""

# The layout: Graphviz's `dot` (layered), left to right: who (people, states, bodies), the facts, what and where.
# sfdp, force-directed, drew the whole article 2,178 points wide: a tangle, its text 4 pixels high at the width
# GitHub shows a README picture; three columns are narrow and tall, and read at that width.
LAYOUT = {
    "rankdir": "LR",
    "ranksep": "0.2",
    "nodesep": "0.08",
    "splines": "true",
    "newrank": "true",
    "pad": "0.15",
    "fontname": FONT,
}
LARGE_LAYOUT = {"splines": "line", "mclimit": "0.1", "nslimit": "1", "nslimit1": "1", "searchsize": "10"}
"""Past LARGE_LINKS links, straight lines and a short search for fewer crossings. Measured (Graphviz 2.43, svg): the
bundled store's 28 facts repeated 36 times (3,698 links, every fact about the same hubs) took 31.5 s to draw with
the full settings, 5.6 s with these; its facts grown with other entities (benchmarks/scale.py, 1,000 facts, 3,682
links) 4.0 s and 2.7 s."""
LARGE_LINKS = 400
MAX_LINKS = 4000
"""A picture of more links is refused, with a hint to filter: no one reads it, and `dot` takes minutes (3,000 grown
facts, 10,959 links: 44 s with the relaxed settings; sfdp, the layout before, 161 s)."""
DOT_TIMEOUT, DOT_TIMEOUT_VAR = 60.0, "FACTS_DOT_TIMEOUT"
"""Seconds `dot` may draw before it is stopped: the last guard, past the size's."""

LEGEND = {"ar": "دليل الرموز", "en": "Legend"}
_CONTROLS = (range(0x20), range(0x7F, 0xA0), range(0xD800, 0xE000))  # C0, DEL and C1, lone surrogates
_NO_PICTURE = (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0xD800, 0xE000))
"""What no picture Graphviz makes can hold: C0 controls but tab, line feed and carriage return, DEL (SVG is XML, in
which they are no characters) and lone surrogates (no UTF-8 for them: Pango is handed invalid text)."""


@cache
def _dot_escapes() -> dict[int, str]:
    """DOT: a quoted string is read back as exactly the text: `\\` and `"` escaped as the DOT language says, `&` as
    `&amp;` (Graphviz reads character references in labels), and every control character as a character
    reference, so that a DOT file holds none. The characters no picture can hold (`_NO_PICTURE`) are written as the
    sanitiser shows them (`^[`, `<U+D800>`), so that `dot` draws every DOT facts writes into a well-formed SVG.
    Nothing else is changed: the text stays in logical order, unshaped. Made when first used (2,000 entries: a
    thousandth of a second that other formats need not pay)."""
    from .sanitize import sanitize

    table = {code: f"&#{code};" for codes in _CONTROLS for code in codes}
    table.update({code: sanitize(chr(code)).replace("&", "&amp;") for code in _NO_PICTURE})
    return {**table, ord("\\"): "\\\\", ord('"'): '\\"', ord("&"): "&amp;"}


def dot_string(text: str) -> str:
    """`text` as a DOT quoted string that Graphviz reads back as `text` (as `_dot_escapes` says)."""
    return '"' + text.translate(_dot_escapes()) + '"'


def drawn(text: str) -> str:
    """Text for a picture Graphviz draws: made inert as for a terminal (controls and bidi overrides as visible
    escapes), and right-to-left text isolated in U+2067 ... U+2069, so that the viewer of an SVG (whose text runs
    left to right unless told) and Pango (which draws a PNG) lay it out right to left. Not shaped, not reordered:
    both shape and order it themselves, and doing it here would reverse it twice."""
    from .bidi import has_rtl, is_rtl
    from .sanitize import sanitize

    text = sanitize(text)
    return f"\u2067{text}\u2069" if has_rtl(text) and is_rtl(text) else text


def _lines(text: str) -> list[str]:
    """A name for a picture, broken between words into lines of about LINE_LENGTH characters."""
    import textwrap

    return textwrap.wrap(text, LINE_LENGTH, break_long_words=False, break_on_hyphens=False) or [text]


def _as_stored(text: str) -> str:
    return text


def _label(parts: Sequence[str], for_drawing: bool) -> str:
    """A DOT label of lines (DOT's `\\n` between the escaped strings); for drawing, each line made inert and
    isolated, and a long one broken between words."""
    if for_drawing:  # made inert first, so that a line feed in a name is shown, not taken for a space
        from .sanitize import sanitize

        parts = [drawn(line) for part in parts for line in _lines(sanitize(part))]
    return '"' + "\\n".join(dot_string(part)[1:-1] for part in parts) + '"'


def _attributes(label: str | None, pairs: dict[str, str]) -> str:
    items = [f"label={label}"] if label is not None else []
    return "[" + ", ".join([*items, *(f"{name}={dot_string(value)}" for name, value in pairs.items())]) + "]"


def _graph_attributes(graph: Graph) -> dict[str, str]:
    if len(graph.links) > LARGE_LINKS:
        return {**LAYOUT, **LARGE_LAYOUT}
    return dict(LAYOUT)


def write_dot(graph: Graph, out: TextIO, *, for_drawing: bool = False) -> None:
    """The graph in Graphviz's DOT language, laid out left to right: the entities that act (people, states,
    bodies), the facts, the others (systems, documents, facilities, places). Entities shaped by kind, facts filled
    by type and outlined by status, speaker and place links dashed and dotted, each node's full name or claim as its
    tooltip, and a legend of the kinds, types and statuses drawn. Text as stored; with `for_drawing`, made inert and
    isolated as `drawn` says, a long name on several lines, for the SVG and PNG `dot` makes."""
    text = drawn if for_drawing else _as_stored
    names = _dot_names(graph)
    out.write("graph facts {\n")
    settings = ", ".join(f"{name}={dot_string(value)}" for name, value in _graph_attributes(graph).items())
    out.write(f"  graph [{settings}];\n")
    out.write(f'  node [fontname="{FONT}", fontsize=11, margin="0.08,0.03"];\n')
    out.write(f'  edge [fontname="{FONT}", fontsize=9, color="#666666", fontcolor="#333333"];\n')
    actors = set()
    for node in graph.nodes:
        if node.group == ENTITY:
            if node.kind in ACTORS:
                actors.add(node.id)
            tooltip = f"{node.label} ({node.record})" if node.label != node.record else node.record
            pairs = {"shape": DOT_SHAPES.get(node.kind, UNKNOWN_SHAPE), "tooltip": text(tooltip)}
            attributes = _attributes(_label([node.label], for_drawing), pairs)
        else:
            style = f"filled,rounded,{STATUS_LINES.get(node.status, 'solid')}"
            pairs = {"shape": "box", "style": style, "fillcolor": _fill(node.kind), "tooltip": text(node.text)}
            attributes = _attributes(_label([node.label, node.record], for_drawing), pairs)
        out.write(f"  {names[node.id]} {attributes};\n")
    for link in graph.links:
        style = {"style": LINK_LINES[link.roles[0]]} if link.roles and link.roles[0] in LINK_LINES else {}
        label = roles_label(link.roles, graph.lang)
        attributes = _attributes(dot_string(text(label)) if label else None, style)
        # `dot` ranks an edge's tail left of its head: an actor's links run into the fact, the others' out of it.
        ends = (link.target, link.source) if link.target in actors else (link.source, link.target)
        out.write(f"  {names[ends[0]]} -- {names[ends[1]]} {attributes};\n")
    _write_dot_legend(graph, out, for_drawing)
    out.write("}\n")


def _dot_names(graph: Graph) -> dict[str, str]:
    """Each node's name in DOT: its id as a DOT string (a store's ids are any text), kept unique."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for node in graph.nodes:
        name = dot_string(node.id)
        while name in taken:  # only when escaping made two ids one (a lone surrogate and its visible escape)
            name = name[:-1] + '#"'
        taken.add(name)
        names[node.id] = name
    return names


def _fill(fact_type: str) -> str:
    return FACT_COLOURS.get(fact_type, UNKNOWN_COLOUR)


def _write_dot_legend(graph: Graph, out: TextIO, for_drawing: bool) -> None:
    """A legend, framed and titled, of the entity kinds, fact types and statuses in the graph, each drawn as in the
    graph and labelled in its language, and of the speaker's and the place's lines: kinds in the column of the
    entities, types in that of the facts (invisible links hold the columns)."""
    kinds = [kind for kind in ENTITY_KINDS if any(node.kind == kind for node in graph.entities())]
    types = [kind for kind in FACT_TYPES if any(node.kind == kind for node in graph.facts())]
    statuses = [status for status in STATUSES if any(node.status == status for node in graph.facts())]
    if not kinds and not types:
        return
    text = drawn if for_drawing else _as_stored
    out.write("  subgraph cluster_legend {\n")
    title = dot_string(text(LEGEND.get(graph.lang, LEGEND["en"])))
    out.write(f'    label={title}; fontsize=12; color="#999999"; style=rounded; margin=8;\n')
    out.write("    node [fontsize=9, height=0.3, width=0.6];\n")
    half = (len(types) + 1) // 2
    columns: list[list[str]] = [[], [], [], []]  # kinds, types in two columns, statuses and lines

    def item(column: int, name: str, label: str, pairs: dict[str, str]) -> None:
        columns[column].append(dot_string(name))
        out.write(f"    {columns[column][-1]} {_attributes(dot_string(text(label)), pairs)};\n")

    for kind in kinds:
        item(0, f"legend:kind:{kind}", term_label(ENTITY_KINDS, kind, graph.lang), {"shape": DOT_SHAPES[kind]})
    for index, kind in enumerate(types):
        style = {"shape": "box", "style": "filled,rounded", "fillcolor": FACT_COLOURS[kind]}
        item(1 if index < half else 2, f"legend:type:{kind}", term_label(FACT_TYPES, kind, graph.lang), style)
    for status in statuses:
        style = {"shape": "box", "style": f"rounded,{STATUS_LINES[status]}"}
        item(3, f"legend:status:{status}", term_label(STATUSES, status, graph.lang), style)
    lines = [role for role in (SPEAKER, PLACE) if any(link.roles[:1] == (role,) for link in graph.links)]
    for role in lines:
        item(3, f"legend:link:{role}", term_label(LINK_ROLES, role, graph.lang), {"shape": "plaintext"})
        end = dot_string(f"legend:link:{role}:end")
        out.write(f'    {end} [label="", shape=point, width=0.05];\n')
        out.write(f"    {columns[3][-1]} -- {end} [style={LINK_LINES[role]}];\n")
    for column in columns:  # a column is a rank (left to right), its order held by links within it
        if column:
            out.write(f"    {{rank=same; {'; '.join(column)}}}\n")
        for above, below in pairwise(column):  # left to right, a link within a rank runs upwards
            out.write(f"    {below} -- {above} [style=invis];\n")
    filled = [column for column in columns if column]
    for left, right in pairwise(filled):
        out.write(f"    {left[0]} -- {right[0]} [style=invis];\n")
    out.write("  }\n")


@cache
def _mermaid_escapes() -> dict[int, str]:
    """Mermaid: a label is a quoted string in which Mermaid reads `#name;` and `#123;` as characters. Every character
    that could end the string, start markup (HTML, Markdown) or a directive (`%%{`), or break a line, is written as
    such a code: the text is otherwise as stored, in logical order, unshaped."""
    codes = [*(code for codes in _CONTROLS for code in codes), *map(ord, '"#&<>`%|\u2028\u2029')]
    return {code: f"#{code};" for code in codes}


_MERMAID_DASHES = {"done": "stroke-dasharray:0", "ongoing": "stroke-dasharray:6 3", "planned": "stroke-dasharray:2 2"}


def mermaid_string(text: str) -> str:
    """`text` as the inside of a Mermaid quoted label."""
    return text.translate(_mermaid_escapes())


def write_mermaid(graph: Graph, out: TextIO) -> None:
    """The graph as a Mermaid flowchart: entities shaped by kind, facts filled by type and outlined by status,
    speaker and place links dotted. Nodes are named `e1`, `e2`... and `f1`, `f2`... (a store's ids are not Mermaid
    names): the labels carry the names and the fact ids."""
    names = {node.id: f"e{index}" for index, node in enumerate(graph.entities(), 1)}
    names.update({node.id: f"f{index}" for index, node in enumerate(graph.facts(), 1)})
    actors = {node.id for node in graph.entities() if node.kind in ACTORS}
    out.write("flowchart LR\n")
    for node in graph.nodes:
        if node.group == ENTITY:
            opening, closing = MERMAID_SHAPES.get(node.kind, UNKNOWN_MERMAID)
            label = mermaid_string(node.label)
        else:
            opening, closing = '["', '"]'
            label = f"{mermaid_string(node.label)}<br>{mermaid_string(node.record)}"
        out.write(f"  {names[node.id]}{opening}{label}{closing}\n")
    for link in graph.links:
        line = "-.-" if link.roles and link.roles[0] in LINK_LINES else "---"
        label = mermaid_string(roles_label(link.roles, graph.lang))
        edge = f'{line}|"{label}"|' if label else line  # a participant without a role: a link without a label
        # As in DOT: an actor's link runs into the fact, the others' out of it, so that the layout (left to right)
        # has three columns, not two of which one is as long as the article has facts.
        ends = (link.target, link.source) if link.target in actors else (link.source, link.target)
        out.write(f"  {names[ends[0]]} {edge} {names[ends[1]]}\n")
    members: dict[str, list[str]] = {}
    for node in graph.facts():
        members.setdefault(_class_of("type", node.kind, FACT_COLOURS), []).append(names[node.id])
        members.setdefault(_class_of("status", node.status, _MERMAID_DASHES), []).append(names[node.id])
    for index, fact_type in enumerate([*FACT_COLOURS, ""]):
        if f"type{index}" in members:
            out.write(f"  classDef type{index} fill:{_fill(fact_type)},stroke:#333333\n")
    for index, status in enumerate([*_MERMAID_DASHES, ""]):
        if f"status{index}" in members:
            out.write(f"  classDef status{index} {_MERMAID_DASHES.get(status, 'stroke-dasharray:0')}\n")
    for name, nodes in members.items():
        out.write(f"  class {','.join(nodes)} {name}\n")


def _class_of(prefix: str, value: str, known: dict[str, str]) -> str:
    """The Mermaid class of a closed list's value (`type3`); the one after the list's for a value not in it."""
    keys = list(known)
    return f"{prefix}{keys.index(value) if value in keys else len(keys)}"


# The pictures: Graphviz's `dot` draws the DOT.

DOT_PROGRAM = "dot"
RENDERERS = {"svg": "svg", "png": "png:cairo"}
"""`dot -T` for each picture. PNG is drawn by cairo, whose text goes through Pango: HarfBuzz shapes Arabic and FriBidi
orders it (Graphviz's gd renderer does neither)."""


def require_dot() -> str:
    """The path of Graphviz's `dot`; MissingProgram when it is not on PATH."""
    import shutil

    path = shutil.which(DOT_PROGRAM)
    if path is None:
        raise MissingProgram(
            f"the svg and png formats are drawn by Graphviz's `{DOT_PROGRAM}`, which is not on PATH: install "
            "graphviz, or use --format dot"
        )
    return path


def dot_timeout() -> float:
    """How many seconds `dot` may draw: `$FACTS_DOT_TIMEOUT`, else DOT_TIMEOUT; UsageProblem when it is not a
    number of seconds."""
    import math
    import os

    value = os.environ.get(DOT_TIMEOUT_VAR, "").strip()
    if not value:
        return DOT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise UsageProblem(f"{DOT_TIMEOUT_VAR}: {value!r} is not a number of seconds (more than 0)")
    return seconds


def draw(graph: Graph, picture: str) -> bytes:
    """The picture (`svg` or `png`) `dot` draws of the graph. Refused past MAX_LINKS links; `dot` stopped after
    `dot_timeout()` seconds; a `dot` killed by a signal is named with it; and when `facts` is told to stop (SIGTERM,
    SIGINT, SIGHUP), `dot` is stopped too before it goes."""
    import io
    import subprocess

    timeout = dot_timeout()

    if len(graph.links) > MAX_LINKS:
        raise UsageProblem(
            f"{len(graph.links)} links are too many to draw (at most {MAX_LINKS}): narrow the graph (--entity, "
            "--type, --by, --since...), or use --format dot, json or mermaid"
        )
    source = io.StringIO()
    write_dot(graph, source, for_drawing=True)
    command = [require_dot(), f"-T{RENDERERS[picture]}"]
    process = None
    with ending_on_signals() as ending:  # a signal stops `dot` first: none is left drawing with no one to read it
        try:
            with ending.held():  # one that comes as `dot` starts ends this once the process is known, to be stopped
                try:
                    process = subprocess.Popen(
                        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                    )
                except OSError as error:
                    raise MissingProgram(f"cannot run Graphviz's `{DOT_PROGRAM}`: {error.strerror or error}") from None
            output, errors = process.communicate(source.getvalue().encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ProgramFailed(
                f"Graphviz's `{DOT_PROGRAM}` was stopped after {timeout:g} s ({len(graph.links)} links): narrow the "
                "graph (--entity, --type, --by...), or use --format dot"
            ) from None
        finally:
            ending.holding = True  # a signal that comes now waits until `dot` is stopped
            if process is not None and process.returncode is None:
                process.kill()
                process.communicate()
            ending.release()
    if process.returncode < 0:
        raise ProgramFailed(f"Graphviz's `{DOT_PROGRAM}` {_killed_by(-process.returncode)}")
    if process.returncode != 0:
        said = errors.decode("utf-8", "replace").strip().splitlines()
        last = said[-1] if said else ""
        raise ProgramFailed(f"Graphviz's `{DOT_PROGRAM}` failed (exit {process.returncode}): {last}")
    return output


def _killed_by(number: int) -> str:
    """`was killed by SIGKILL`, `crashed (SIGSEGV, segmentation fault)`: how `dot` ended by a signal."""
    import signal

    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    if number in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        return f"was killed by {name}"
    what = signal.strsignal(number)
    return f"crashed ({name}, {what.lower()})" if what else f"crashed ({name})"
