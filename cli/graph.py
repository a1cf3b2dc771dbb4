"""The graph of who did what with whom, and its forms: node-link JSON, DOT, Mermaid, plain lines, SVG and PNG.

A node for each fact and for each entity it involves, a link from the fact to each of its entities labelled with the
roles the entity has in it: a bipartite graph, so that a fact of six participants loses none. The pictures (SVG,
PNG) are drawn by Graphviz's `dot` from the DOT. Never imports Rich.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple, TextIO

from .errors import MissingProgram, ProgramFailed
from .model import Record, entity_references
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
    """The roles of a link in `lang`, comma-separated."""
    return _SEPARATORS.get(lang, ", ").join(term_label(LINK_ROLES, role, lang) for role in roles)


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
FACT_COLOURS = {
    "agreement": "#9ecae1",
    "meeting": "#a1d99b",
    "agenda": "#d9d9d9",
    "integration": "#fdd0a2",
    "cooperation": "#fdae6b",
    "delivery": "#fc9272",
    "facility-use": "#bcbddc",
    "adoption": "#c7e9c0",
    "policy": "#dadaeb",
    "assessment": "#fee391",
    "threat": "#fb6a4a",
    "statement": "#f0f0f0",
    "publication": "#ffffff",
}
UNKNOWN_COLOUR = "#ffffff"
STATUS_LINES = {"done": "solid", "ongoing": "dashed", "planned": "dotted"}
LINK_LINES = {SPEAKER: "dashed", PLACE: "dotted"}
assert set(DOT_SHAPES) == set(MERMAID_SHAPES) == set(ENTITY_KINDS) and set(FACT_COLOURS) == set(FACT_TYPES)
assert set(STATUS_LINES) == set(STATUSES)
FONT = "sans-serif"

LEGEND = {"ar": "دليل الرموز", "en": "Legend"}
LEGEND_COLUMNS = 5
_CONTROLS = (range(0x20), range(0x7F, 0xA0), range(0xD800, 0xE000))  # C0, DEL and C1, lone surrogates


@cache
def _dot_escapes() -> dict[int, str]:
    """DOT: a quoted string is read back as exactly the text: `\\` and `"` escaped as the DOT language says, `&` as
    `&amp;` (Graphviz reads character references in labels), and every control character as a character
    reference, so that a DOT file holds none. Nothing else is changed: the text stays in logical order, unshaped.
    Made when first used (2,000 entries: a thousandth of a second that other formats need not pay)."""
    table = {code: f"&#{code};" for codes in _CONTROLS for code in codes}
    return {**table, ord("\\"): "\\\\", ord('"'): '\\"', ord("&"): "&amp;"}


def dot_string(text: str) -> str:
    """`text` as a DOT quoted string that Graphviz reads back as exactly `text`."""
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


def _as_stored(text: str) -> str:
    return text


def _attributes(label: str, pairs: dict[str, str]) -> str:
    return "[" + ", ".join([f"label={label}", *(f"{name}={dot_string(value)}" for name, value in pairs.items())]) + "]"


def write_dot(graph: Graph, out: TextIO, *, for_drawing: bool = False) -> None:
    """The graph in Graphviz's DOT language: entities shaped by kind, facts filled by type and outlined by status,
    speaker and place links dashed and dotted, and a legend of the kinds and types drawn. Text as stored; with
    `for_drawing`, made inert and isolated as `drawn` says, for the SVG and PNG `dot` makes."""
    text = drawn if for_drawing else _as_stored
    names = _dot_names(graph, text)
    out.write("graph facts {\n")
    # sfdp (a force-directed layout) draws the hubs (Russia, Shoigu, Kazakhstan) with their facts around them; dot's
    # layers put 28 facts in one column and their 29 entities in the next.
    out.write(f'  graph [layout=sfdp, overlap=false, splines=true, sep="+6", fontname="{FONT}"];\n')
    out.write(f'  node [fontname="{FONT}", fontsize=11, margin="0.08,0.03"];\n')
    out.write(f'  edge [fontname="{FONT}", fontsize=9, color="#666666", fontcolor="#333333"];\n')
    for node in graph.nodes:
        if node.group == ENTITY:
            attributes = _attributes(dot_string(text(node.label)), {"shape": DOT_SHAPES.get(node.kind, UNKNOWN_SHAPE)})
        else:
            # The type's label over the fact's id: DOT's `\n` joins the two escaped strings.
            label = dot_string(text(node.label))[:-1] + "\\n" + dot_string(text(node.record))[1:]
            style = f"filled,rounded,{STATUS_LINES.get(node.status, 'solid')}"
            attributes = _attributes(label, {"shape": "box", "style": style, "fillcolor": _fill(node.kind)})
        out.write(f"  {names[node.id]} {attributes};\n")
    for link in graph.links:
        style = {"style": LINK_LINES[link.roles[0]]} if link.roles and link.roles[0] in LINK_LINES else {}
        label = dot_string(text(roles_label(link.roles, graph.lang)))
        out.write(f"  {names[link.source]} -- {names[link.target]} {_attributes(label, style)};\n")
    _write_dot_legend(graph, out, text)
    out.write("}\n")


def _dot_names(graph: Graph, text: Any) -> dict[str, str]:
    """Each node's name in DOT: its id, quoted (made inert for drawing, and then kept unique)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for node in graph.nodes:
        name = dot_string(text(node.id))
        while name in taken:  # only when making two ids inert made them one
            name = name[:-1] + '#"'
        taken.add(name)
        names[node.id] = name
    return names


def _fill(fact_type: str) -> str:
    return FACT_COLOURS.get(fact_type, UNKNOWN_COLOUR)


def _write_dot_legend(graph: Graph, out: TextIO, text: Any) -> None:
    """A legend of the entity kinds, fact types and statuses in the graph, each drawn as in the graph and labelled in
    its language, held in a grid by invisible links (the layout would scatter unlinked nodes)."""
    kinds = [kind for kind in ENTITY_KINDS if any(node.kind == kind for node in graph.entities())]
    types = [kind for kind in FACT_TYPES if any(node.kind == kind for node in graph.facts())]
    statuses = [status for status in STATUSES if any(node.status == status for node in graph.facts())]
    if not kinds and not types:
        return
    title = dot_string(text(LEGEND.get(graph.lang, LEGEND["en"])))
    out.write("  subgraph cluster_legend {\n")
    names = [dot_string("legend")]
    out.write(f"    {names[0]} [label={title}, shape=plaintext, fontsize=13];\n")
    for kind in kinds:
        names.append(dot_string(f"legend:kind:{kind}"))
        label = dot_string(text(term_label(ENTITY_KINDS, kind, graph.lang)))
        out.write(f"    {names[-1]} {_attributes(label, {'shape': DOT_SHAPES[kind]})};\n")
    for kind in types:
        names.append(dot_string(f"legend:type:{kind}"))
        label = dot_string(text(term_label(FACT_TYPES, kind, graph.lang)))
        style = {"shape": "box", "style": "filled,rounded", "fillcolor": FACT_COLOURS[kind]}
        out.write(f"    {names[-1]} {_attributes(label, style)};\n")
    for status in statuses:
        names.append(dot_string(f"legend:status:{status}"))
        label = dot_string(text(term_label(STATUSES, status, graph.lang)))
        style = {"shape": "box", "style": f"rounded,{STATUS_LINES[status]}"}
        out.write(f"    {names[-1]} {_attributes(label, style)};\n")
    for index, name in enumerate(names):
        if index % LEGEND_COLUMNS:
            out.write(f"    {names[index - 1]} -- {name} [style=invis];\n")
        if index >= LEGEND_COLUMNS:
            out.write(f"    {names[index - LEGEND_COLUMNS]} -- {name} [style=invis];\n")
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
        out.write(f'  {names[link.source]} {line}|"{label}"| {names[link.target]}\n')
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


def draw(graph: Graph, picture: str) -> bytes:
    """The picture (`svg` or `png`) `dot` draws of the graph."""
    import io
    import subprocess

    source = io.StringIO()
    write_dot(graph, source, for_drawing=True)
    try:
        done = subprocess.run(
            [require_dot(), f"-T{RENDERERS[picture]}"], input=source.getvalue().encode("utf-8"), capture_output=True
        )
    except OSError as error:
        raise MissingProgram(f"cannot run Graphviz's `{DOT_PROGRAM}`: {error.strerror or error}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ProgramFailed(f"Graphviz's `{DOT_PROGRAM}` failed (exit {done.returncode}): {said[-1] if said else ''}")
    return done.stdout
