"""`facts graph`: the graph of facts and the entities they involve, in every format, checked against `facts list`,
networkx, Graphviz and the bidi oracles; and hostile text kept inert in each."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import BUNDLED, FACTS_BIN, REPO, TTYStream, clean_environment, in_the_foreground, write_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from test_hostile import TEXT, assert_drawn_within, hostile_document, invoke, write

from facts_cli.app import main
from facts_cli.bidi import display
from facts_cli.errors import ExitCode
from facts_cli.graph import build_graph, drawn, fact_roles, write_dot
from facts_cli.model import fact_entities
from facts_cli.sanitize import sanitize
from facts_cli.streams import Streams
from facts_cli.writers import plain_cell

DOT = shutil.which("dot")
README_PICTURES = [
    "facts graph --format svg > docs/graph.svg",
    "facts graph --entity Kazakhstan --lang en --format svg > docs/graph-kazakhstan.svg",
]
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed (.ci/run installs graphviz)")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def document() -> dict[str, Any]:
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


def records(table: str) -> list[dict[str, Any]]:
    return list(document()[table].values())


def graph_json(run, *options: str) -> dict[str, Any]:
    result = run("graph", "--format", "json", *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def networkx_graph(data: dict[str, Any]) -> nx.Graph:
    return nx.node_link_graph(data, edges="links")


def listed_ids(run, *options: str) -> list[str]:
    result = run("list", "--format", "json", "--fields", "id", *options)
    assert result.returncode in (0, 1), result.stderr
    return [record["id"] for record in json.loads(result.stdout)]


def test_node_link_json_loads_into_networkx_and_each_degree_is_what_list_finds(run):
    data = graph_json(run)
    graph = networkx_graph(data)
    assert not graph.is_directed() and nx.is_bipartite(graph)
    entities = {node for node, group in graph.nodes(data="group") if group == "entity"}
    facts = {node for node, group in graph.nodes(data="group") if group == "fact"}
    assert {graph.nodes[node]["bipartite"] for node in entities} == {0}
    assert {graph.nodes[node]["bipartite"] for node in facts} == {1}
    assert len(facts) == len(records("facts"))
    for node in entities:
        record = graph.nodes[node]["record"]
        found = listed_ids(run, "--entity", record)
        assert graph.degree(node) == len(found), record
        assert {graph.nodes[fact]["record"] for fact in graph.neighbors(node)} == set(found), record


def test_every_participating_entity_is_a_node_linked_with_its_roles(run):
    data = graph_json(run, "--lang", "en")
    nodes = {node["id"]: node for node in data["nodes"]}
    links = {(link["source"], link["target"]): link for link in data["links"]}
    names = {entity["id"]: entity["name"]["en"] for entity in records("entities")}
    for fact in records("facts"):
        fact_node = f"fact:{fact['id']}"
        assert nodes[fact_node]["claim"] == fact["claim_en"]
        assert {target for source, target in links if source == fact_node} == {
            f"entity:{entity}" for entity in fact_entities(fact)
        }
        for participant in fact["participants"]:
            link = links[(fact_node, f"entity:{participant['entity']}")]
            assert participant["role"] in link["roles"]
            assert nodes[link["target"]]["label"] == names[participant["entity"]]
        if fact["attributed_to"]:
            assert "speaker" in links[(fact_node, f"entity:{fact['attributed_to']['entity']}")]["roles"]
        if fact["place"]:
            assert "place" in links[(fact_node, f"entity:{fact['place']['entity']}")]["roles"]
    # The agreement of six participants (and a place) loses none of them.
    assert len([key for key in links if key[0] == "fact:ru-am-caucasus-air-defence"]) == 7


@pytest.mark.parametrize(
    "options",
    [
        ["--type", "agreement"],
        ["--status", "planned", "--status", "ongoing"],
        ["--entity", "Kazakhstan"],
        ["--entity", "Russia", "--entity", "Armenia"],
        ["--by", "Shoigu"],
        ["--by", "article"],
        ["--since", "2015"],
        ["--until", "2014"],
        ["--source", "rt-ar-2015-12-23"],
    ],
)
def test_the_filters_narrow_the_graph_to_the_facts_list_finds(run, options):
    whole = networkx_graph(graph_json(run))
    data = graph_json(run, *options)
    graph = networkx_graph(data)
    facts = [node["record"] for node in data["nodes"] if node["group"] == "fact"]
    assert facts == listed_ids(run, *options)
    assert set(graph.nodes) <= set(whole.nodes) and set(graph.edges) <= set(whole.edges)
    assert len(facts) < len(records("facts")) or options[0] == "--source"  # the bundled store has one source
    assert graph.number_of_nodes() - len(facts) == len(
        {target for link in data["links"] for target in [link["target"]]}
    )
    involved = {entity for fact in records("facts") if fact["id"] in facts for entity in fact_entities(fact)}
    assert {node["record"] for node in data["nodes"] if node["group"] == "entity"} == involved


def test_nothing_matched_is_an_empty_graph_and_exit_1(run):
    result = run("graph", "--type", "agreement", "--since", "2030", "--format", "json")
    assert result.returncode == 1 and result.stderr == "facts: no facts matched\n"
    assert json.loads(result.stdout)["nodes"] == []
    assert run("graph", "--since", "2030").stdout == ""


def test_graph_takes_the_filters_of_list_but_not_its_order_or_limit(run):
    assert run("graph", "--sort", "id").returncode == 2
    assert run("graph", "--limit", "3").returncode == 2
    help_text = run("graph", "--help").stdout
    for option in ("--type", "--status", "--entity", "--by", "--since", "--until", "--source", "--lang", "--bidi"):
        assert option in help_text
    assert "text, plain, json, dot, mermaid, svg, png" in " ".join(help_text.split())


def test_piped_it_is_a_line_per_link(run):
    result = run("graph", "--entity", "balkhash", "--lang", "en")
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    data = graph_json(run, "--entity", "balkhash", "--lang", "en")
    assert len(lines) == len(data["links"]) and all(len(line) == 6 for line in lines)
    assert ["balkhash-early-warning", "facility-use", "host,place", "kazakhstan", "country", "Kazakhstan"] in lines
    assert ["balkhash-agreement-2015", "agreement", "speaker", "shoigu", "person", "Sergei Shoigu"] in lines


def decode_dot(text: str) -> str:
    """What Graphviz reads from a DOT string as facts writes it: `\\`, `\"` and `\n` (a line break) escapes, then
    character references."""
    text = re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], text)
    return re.sub(r"&#(\d+);", lambda m: chr(int(m[1])), text).replace("&amp;", "&")


def graphviz_objects(dot_source: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The nodes (name: label) and edges Graphviz reads from DOT source, names and labels decoded."""
    result = subprocess.run([DOT, "-Tjson"], input=dot_source.encode("utf-8"), capture_output=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.decode("utf-8"), strict=False)  # Graphviz 2.43 writes controls raw
    objects = data.get("objects", [])
    nodes = {decode_dot(o["name"]): decode_dot(o.get("label", "")) for o in objects if "nodes" not in o}
    names = [decode_dot(o["name"]) for o in objects]
    edges = [(names[edge["tail"]], names[edge["head"]]) for edge in data.get("edges", [])]
    return nodes, edges


@needs_dot
def test_the_dot_renders_with_graphviz_as_the_same_graph(run):
    source = run("graph", "--format", "dot").stdout
    rendered = subprocess.run([DOT, "-Tsvg"], input=source.encode("utf-8"), capture_output=True)
    assert rendered.returncode == 0 and rendered.stderr == b"", rendered.stderr
    ElementTree.fromstring(rendered.stdout)
    data = graph_json(run)
    nodes, edges = graphviz_objects(source)
    drawn_nodes = {name: label for name, label in nodes.items() if not name.startswith("legend")}
    assert set(drawn_nodes) == {node["id"] for node in data["nodes"]}
    assert sorted(sorted(edge) for edge in edges if not edge[0].startswith("legend")) == sorted(
        sorted((link["source"], link["target"])) for link in data["links"]
    )
    for node in data["nodes"]:
        expected = node["label"] if node["group"] == "entity" else f"{node['label']}\n{node['record']}"
        assert drawn_nodes[node["id"]] == expected
    # The legend shows every kind, type and status drawn, each once.
    kinds = {node["kind"] for node in data["nodes"] if node["group"] == "entity"}
    types = {node["type"] for node in data["nodes"] if node["group"] == "fact"}
    statuses = {node["status"] for node in data["nodes"] if node["group"] == "fact"}
    legend = sorted(name.split(":", 1)[1] for name in nodes if name.startswith("legend:") and "link:" not in name)
    expected = [f"kind:{k}" for k in kinds] + [f"type:{t}" for t in types] + [f"status:{s}" for s in statuses]
    assert legend == sorted(expected)
    lines = {name.split(":")[2] for name in nodes if name.startswith("legend:link:")}
    assert lines == {"speaker", "place"}


MERMAID_LINE = re.compile(
    r'  (?:(?P<node>[ef]\d+)(?:\(\["|\{\{"|\[\["|>"|\[/"|\[\("|\[\\"|\["|\(\(")(?P<label>[^"]*)'
    r'(?:"\]\)|"\}\}|"\]\]|"\]|"/\]|"\\\]|"\)\]|"\)\))'
    r'|(?P<one>[ef]\d+) (?:---|-\.-)(?:\|"(?P<roles>[^"]+)"\|)? (?P<other>[ef]\d+)'
    r"|classDef (?:type|status)\d+ [a-z-]+:[#0-9a-f ]+(?:,stroke:#333333)?"
    r"|class [ef0-9,]+ (?:type|status)\d+)"
)


def decode_mermaid(text: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), text)


def parse_mermaid(source: str) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The labels and links of a flowchart as facts writes it; every line must be one of its statements."""
    first, *lines = source.splitlines()
    assert first == "flowchart LR"
    labels, links = [], []
    for line in lines:
        match = MERMAID_LINE.fullmatch(line)
        assert match, line
        if match["node"]:
            labels.append(decode_mermaid(match["label"]))
        elif match["one"]:
            fact, entity = sorted((match["one"], match["other"]), reverse=True)  # f... then e...
            assert (fact[0], entity[0]) == ("f", "e"), line
            links.append((fact, entity, decode_mermaid(match["roles"] or "")))
    return labels, links


def test_mermaid_is_the_same_graph(run):
    data = graph_json(run, "--lang", "en")
    labels, links = parse_mermaid(run("graph", "--format", "mermaid", "--lang", "en").stdout)
    assert labels == [
        node["label"] if node["group"] == "entity" else f"{node['label']}<br>{node['record']}" for node in data["nodes"]
    ]
    assert [roles for _, _, roles in links] == [link["label"] for link in data["links"]]


def test_machine_formats_never_reorder_or_reshape_text(run):
    names = {entity["name"]["ar"] for entity in records("entities")}
    outputs = {}
    for fmt in ("json", "dot", "mermaid", "plain"):
        logical = run("graph", "--format", fmt, "--bidi", "logical")
        visual = run("graph", "--format", fmt, "--bidi", "visual", env={"COLUMNS": "40"})
        assert logical.stdout == visual.stdout, fmt
        assert not PRESENTATION_FORMS.search(logical.stdout) and not BIDI_CONTROLS.search(logical.stdout), fmt
        outputs[fmt] = logical.stdout
    assert {n["label"] for n in json.loads(outputs["json"])["nodes"] if n["group"] == "entity"} == names
    assert {line.split("\t")[5] for line in outputs["plain"].splitlines()} == names
    assert names <= set(parse_mermaid(outputs["mermaid"])[0])
    assert all(f'label="{name}"' in outputs["dot"] for name in names)


@needs_dot
def test_svg_holds_the_logical_text_isolated_for_the_viewer_to_draw(run):
    result = run("graph", "--format", "svg", "--entity", "balkhash")
    assert result.returncode == 0, result.stderr
    svg = ElementTree.fromstring(result.stdout)
    texts = {"".join(element.itertext()) for element in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert "\u2067مجمع بالخاش\u2069" in texts and "balkhash-early-warning" in texts
    assert not any(PRESENTATION_FORMS.search(text) for text in texts)


@needs_dot
@pytest.mark.parametrize("text", ["كازاخستان", "منظومات إس-300 لكازاخستان", "حقول اختبار (تابعة) لوزارة الدفاع"])
def test_png_draws_arabic_shaped_and_in_order(text):
    """Graphviz's PNG (cairo, through Pango) shapes and orders Arabic itself: what facts gives it, logical text,
    comes out pixel for pixel as the visual order of the bidi oracle (shaped presentation forms, drawn left to
    right as they are), and not as the logical letters drawn left to right."""

    def png(label: str) -> bytes:
        # One font with Arabic (Debian's fonts-dejavu-core, which .ci/run installs): with "sans-serif", fontconfig
        # may pick a font without Arabic (Noto Sans, once ImageMagick brought it) and draw the Arabic in a fallback
        # font, whose joins with the Latin and digits beside it differ by a pixel.
        graph = f'graph G {{ node [shape=plaintext, fontname="DejaVu Sans"]; a [label="{label}"]; }}'
        return subprocess.run([DOT, "-Tpng:cairo"], input=graph.encode("utf-8"), capture_output=True).stdout

    visual, _ = display(text, True)
    as_given = png(drawn(text))
    assert as_given.startswith(b"\x89PNG")
    assert as_given == png(f"\u202d{visual}\u202c")
    assert as_given != png(f"\u202d{text}\u202c")


def test_drawn_text_is_inert_and_only_right_to_left_text_is_isolated():
    assert drawn("روسيا") == "\u2067روسيا\u2069"
    assert drawn("Russia (روسيا)") == "Russia (روسيا)"
    assert drawn("a\x1b[31m\u202eb") == "a^[[31m<U+202E>b"
    assert drawn("روسيا\u202e") == "\u2067روسيا<U+202E>\u2069"
    assert drawn("\u202eروسيا") == "<U+202E>روسيا"  # what is drawn starts with a Latin letter


def test_the_outline_is_the_default_on_a_terminal(tmp_path):
    out = TTYStream(True)
    streams = Streams(None, out, io.StringIO(), clean_environment(COLUMNS="200", NO_COLOR="1"), paging=False)
    assert main(["graph", "--entity", "balkhash", "--lang", "en", "--bidi", "logical"], streams) == 0
    lines = out.getvalue().splitlines()
    headings = [line for line in lines if line and not line.startswith((" ", "2 facts"))]
    # Entity by entity, most facts first, then by id.
    assert [line.split()[0] for line in headings] == [
        "balkhash",
        "kazakhstan",
        "russia",
        "shoigu",
        "russian-early-warning-system",
    ]
    at = lines.index("kazakhstan  2 facts  Kazakhstan (Country)")
    assert lines[at + 1] == "  balkhash-agreement-2015  Agreement · Party"
    assert lines[at + 2] == "      Russia (Party) · Balkhash complex (Object) · Sergei Shoigu (Speaker)"


def test_png_is_not_written_to_a_terminal(tmp_path):
    err = io.StringIO()
    streams = Streams(None, TTYStream(True), err, clean_environment(), paging=False)
    assert main(["graph", "--format", "png", "--db", str(tmp_path / "missing.json")], streams) == 2
    assert "png is binary: redirect it to a file" in err.getvalue()


def test_a_missing_dot_is_one_line_and_exit_3_before_the_store_is_read(run, tmp_path):
    for fmt in ("svg", "png"):
        result = run("graph", "--format", fmt, "--db", str(tmp_path / "missing.json"), env={"PATH": str(tmp_path)})
        assert (result.returncode, result.stdout) == (3, "")
        assert result.stderr.count("\n") == 1 and "Graphviz's `dot`, which is not on PATH" in result.stderr
    assert run("graph", "--format", "dot", env={"PATH": str(tmp_path)}).returncode == 0


HOSTILE = (
    'a"b\\N\\G\\" } -- "x"; node [shape=box] &amp; &#27; #quot; <b>x</b><script>alert(1)</script> `c` '
    '%%{init: {"theme":"dark"}}%% |p| ]) end\x1b[31m\x07\u202e\u2067\n\r\t\u2028 روسيا'
)


def hostile_store(tmp_path: Path) -> Path:
    data = document()
    entity = data["entities"]["4"]
    assert entity["id"] == "russia"
    entity["name"] = {"ar": HOSTILE, "en": HOSTILE}
    entity["kind"] = HOSTILE
    fact = data["facts"]["1"]
    fact["participants"][0]["role"] = HOSTILE
    return write_store(tmp_path / "hostile.json", data)


def test_hostile_text_is_exact_in_json_plain_dot_and_mermaid(run, tmp_path):
    store = str(hostile_store(tmp_path))
    data = graph_json(run, "--db", store)
    russia = next(node for node in data["nodes"] if node["id"] == "entity:russia")
    assert russia["label"] == russia["kind"] == HOSTILE
    plain = run("graph", "--db", store).stdout.split("\n")[:-1]
    assert f"russia\t{plain_cell(HOSTILE)}\t{plain_cell(HOSTILE)}" in "\n".join(plain)
    assert all(line.count("\t") == 5 for line in plain)
    labels, links = parse_mermaid(run("graph", "--format", "mermaid", "--db", store).stdout)
    assert labels.count(HOSTILE) == 1 and len(labels) == len(data["nodes"])
    assert len(links) == len(data["links"]) and any(HOSTILE in roles for _, _, roles in links)
    dot_source = run("graph", "--format", "dot", "--db", store).stdout
    assert not re.search("[\x00-\x1f\x7f-\x9f]", dot_source.replace("\n", ""))
    if DOT is not None:
        nodes, edges = graphviz_objects(dot_source)
        # Exact, but for what no picture can hold (C0 controls other than tab and line ends): shown as on a terminal.
        assert nodes["entity:russia"] == HOSTILE.replace("\x1b", "^[").replace("\x07", "^G")
        assert len([name for name in nodes if not name.startswith("legend")]) == len(data["nodes"])
        assert len([edge for edge in edges if not edge[0].startswith("legend")]) == len(data["links"])


@needs_dot
def test_hostile_text_is_inert_in_the_svg_and_the_png(run, tmp_path):
    store = str(hostile_store(tmp_path))
    svg = run("graph", "--format", "svg", "--db", store)
    assert svg.returncode == 0, svg.stderr
    root = ElementTree.fromstring(svg.stdout)  # well-formed XML: no raw control character
    assert not [element for element in root.iter() if element.tag.endswith(("script", "b"))]
    texts = ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert sanitize(HOSTILE) in texts
    assert not any("\x1b" in text or "\u202e" in text for text in texts)
    png = subprocess.run([str(FACTS_BIN), "graph", "--format", "png", "--db", store], capture_output=True)
    assert png.returncode == 0 and png.stdout.startswith(b"\x89PNG"), png.stderr


def test_hostile_text_is_inert_in_the_outline(run, tmp_path):
    store = str(hostile_store(tmp_path))
    for bidi in ("logical", "visual"):
        result = run("graph", "--format", "text", "--bidi", bidi, "--db", store, env={"COLUMNS": "50"})
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout and not BIDI_CONTROLS.search(result.stdout)
        assert all(cell_len(line) <= 50 for line in result.stdout.split("\n"))


def test_roles_come_from_the_same_references_as_the_entity_filter():
    for fact in records("facts"):
        assert set(fact_roles(fact)) == fact_entities(fact)
    odd = {"participants": [{"entity": 3, "role": "party"}, "x", {"role": "party"}], "place": {"entity": "moscow"}}
    assert fact_roles(odd) == {"moscow": ["place"]} and set(fact_roles(odd)) == fact_entities(odd)


def test_two_facts_with_one_id_stay_two_nodes():
    fact = records("facts")[0]
    graph = build_graph([fact, fact], records("entities"), "en")
    assert len({node.id for node in graph.nodes}) == len(graph.nodes)
    assert len(graph.facts()) == 2
    out = io.StringIO()
    write_dot(graph, out)
    assert out.getvalue().count('"fact:ru-am-caucasus-air-defence') == 2 + 2 * 7


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(TEXT, min_size=10, max_size=10),
    width=st.integers(1, 160),
    fmt=st.sampled_from(["text", "plain", "json", "dot", "mermaid"]),
    bidi=st.sampled_from(["visual", "logical"]),
)
def test_the_graph_survives_a_hostile_store_in_every_format(tmp_path, texts, width, fmt, bidi):
    path = write(tmp_path / "hostile.json", hostile_document(texts))
    result = invoke(["graph", "--db", str(path), "--format", fmt, "--bidi", bidi], width)
    if result.exit_code != ExitCode.OK:
        return
    if fmt == "text":
        assert_drawn_within(result.stdout, width)
    elif fmt == "json":
        data = json.loads(result.stdout)
        assert {node["label"] for node in data["nodes"]} >= {texts[6]}
    elif fmt == "mermaid":
        labels, links = parse_mermaid(result.stdout)
        assert texts[6] in labels and links
    elif fmt == "dot":
        assert not re.search("[\x00-\x1f\x7f-\x9f\ud800-\udfff]", result.stdout.replace("\n", ""))


def svg_nodes(svg: str) -> dict[str, list[str]]:
    """Each node of a picture Graphviz drew (its title, which is the node's name), with the texts drawn in it."""
    root = ElementTree.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    return {
        "".join(group.find(f"{namespace}title").itertext()): [
            "".join(t.itertext()) for t in group.iter(f"{namespace}text")
        ]
        for group in root.iter(f"{namespace}g")
        if group.get("class") == "node"
    }


@pytest.mark.parametrize("command", README_PICTURES)
def test_the_readme_pictures_are_what_their_commands_draw(run, command):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert command in readme
    words = command.split()
    options, picture = words[2:-2], words[-1]  # facts graph OPTIONS --format svg > PICTURE
    assert options[-2:] == ["--format", "svg"] and f"]({picture})" in readme
    drawn_nodes = svg_nodes((REPO / picture).read_text(encoding="utf-8"))
    data = graph_json(run, *options[:-2])
    assert {name for name in drawn_nodes if not name.startswith("legend")} == {node["id"] for node in data["nodes"]}
    if DOT is not None:
        assert drawn_nodes == svg_nodes(run("graph", *options).stdout)


# After review: pictures that read, a legend, a `dot` that never runs on unwatched, labels that never break DOT.

GITHUB_WIDTH = 830
"""The width, in CSS pixels, at which GitHub shows a README's picture (its column, on a desktop): a wider SVG is
scaled down to it."""
SVG = "{http://www.w3.org/2000/svg}"


def shown_sizes(svg: str) -> tuple[float, dict[str, float]]:
    """The scale at which GitHub shows an SVG Graphviz drew, and the least height, in pixels, of the text of nodes
    and of links as shown (Graphviz's units are points: 4/3 of a pixel)."""
    root = ElementTree.fromstring(svg)
    width = float(root.get("width").removesuffix("pt")) * 4 / 3
    scale = min(1.0, GITHUB_WIDTH / width)
    least: dict[str, float] = {}
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class")
        if kind in ("node", "edge") and not group.find(f"{SVG}title").text.startswith("legend"):
            for text in group.iter(f"{SVG}text"):
                size = float(text.get("font-size")) * 4 / 3 * scale
                least[kind] = min(least.get(kind, size), size)
    return scale, least


@pytest.mark.parametrize("picture", ["docs/graph.svg", "docs/graph-kazakhstan.svg"])
def test_the_readme_pictures_read_at_the_width_github_shows_them(picture):
    """The pictures before (sfdp, 2,178 points wide) were shown at 29%: names 4 pixels high."""
    _, least = shown_sizes((REPO / picture).read_text(encoding="utf-8"))
    assert least["node"] >= 10 and least["edge"] >= 8, least


ACTOR_KINDS = ("person", "country", "organisation")


@needs_dot
def test_the_picture_is_laid_out_left_to_right_in_three_columns(run):
    """Who (people, states, bodies) left of the facts, what and where right of them."""
    svg = run("graph", "--format", "svg", "--lang", "en")
    assert svg.returncode == 0, svg.stderr
    data = graph_json(run, "--lang", "en")
    kinds = {node["id"]: node.get("kind") for node in data["nodes"]}
    centres = {name: x for name, (x, _) in legend_and_graph(svg.stdout)[1].items() if name in kinds}
    actors = [x for node, x in centres.items() if kinds[node] in ACTOR_KINDS]
    facts = [x for node, x in centres.items() if node.startswith("fact:")]
    others = [x for node, x in centres.items() if node.startswith("entity:") and kinds[node] not in ACTOR_KINDS]
    assert max(actors) < min(facts) and max(facts) < min(others)


def legend_and_graph(svg: str) -> tuple[tuple[float, float, float, float], dict[str, tuple[float, float]]]:
    """The legend's frame (left, top, right, bottom) and where each node's text is drawn."""
    frame = None
    places: dict[str, tuple[float, float]] = {}
    for group in ElementTree.fromstring(svg).iter(f"{SVG}g"):
        title = "".join(group.find(f"{SVG}title").itertext()) if group.find(f"{SVG}title") is not None else ""
        if group.get("class") == "cluster" and title == "cluster_legend":
            outline = next(e for e in group if e.tag in (f"{SVG}path", f"{SVG}polygon"))
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", outline.get("d") or outline.get("points"))]
            xs, ys = numbers[0::2], numbers[1::2]
            frame = (min(xs), min(ys), max(xs), max(ys))
        text = next(group.iter(f"{SVG}text"), None)  # in an <a> when the node has a tooltip
        if group.get("class") == "node" and text is not None:
            places[title] = (float(text.get("x")), float(text.get("y")))
    assert frame is not None, "no legend drawn"
    return frame, places


@needs_dot
def test_the_legend_is_one_framed_block_apart_from_the_graph(run):
    """Every legend item inside the legend's frame, no node of the graph in it (sfdp scattered it among them)."""
    for options in ([], ["--entity", "Kazakhstan", "--lang", "en"]):
        result = run("graph", "--format", "svg", *options)
        (left, top, right, bottom), places = legend_and_graph(result.stdout)
        inside = {name for name, (x, y) in places.items() if left <= x <= right and top <= y <= bottom}
        assert inside == {name for name in places if name.startswith("legend:")}, options
    assert not [node for node in graph_json(run)["nodes"] if node["id"].startswith("legend")]  # not in json


def test_the_large_layout_and_the_refusal_past_a_size(monkeypatch, tmp_path):
    """Past LARGE_LINKS links, `dot` is given the quicker settings; past MAX_LINKS, nothing is drawn: one line that
    says how to narrow the graph, exit 2, `dot` never started."""
    from facts_cli import graph as graph_module

    facts = records("facts")
    small = build_graph(facts, records("entities"), "en")
    out = io.StringIO()
    write_dot(small, out)
    assert 'splines="true"' in out.getvalue() and "mclimit" not in out.getvalue()
    monkeypatch.setattr(graph_module, "LARGE_LINKS", len(small.links) - 1)
    out = io.StringIO()
    write_dot(small, out)
    assert 'splines="line"' in out.getvalue() and 'mclimit="0.1"' in out.getvalue()
    monkeypatch.setattr(graph_module, "MAX_LINKS", len(small.links) - 1)
    started = tmp_path / "started"
    fake_dot(tmp_path, f"touch {started}\nexit 0")
    err = io.StringIO()
    environ = clean_environment(PATH=f"{tmp_path}:/usr/bin:/bin")
    streams = Streams(None, TTYStream(False), err, environ, paging=False)
    assert main(["graph", "--format", "svg"], streams) == ExitCode.USAGE
    message = err.getvalue()
    assert message.count("\n") == 1 and f"{len(small.links)} links are too many to draw" in message
    assert "--entity" in message and not started.exists()


def fake_dot(directory: Path, body: str) -> Path:
    """A `dot` on PATH that runs `body` (a shell script) instead of Graphviz."""
    program = directory / "dot"
    program.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    program.chmod(0o755)
    return program


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("kill -SEGV $$", "Graphviz's `dot` crashed (SIGSEGV, segmentation fault)"),
        ("kill -KILL $$", "Graphviz's `dot` was killed by SIGKILL"),
        ("echo 'Error: syntax' >&2; exit 1", "Graphviz's `dot` failed (exit 1): Error: syntax"),
    ],
)
def test_a_dot_that_crashes_or_is_killed_is_named_with_its_signal(run, tmp_path, body, said):
    fake_dot(tmp_path, body)
    result = run("graph", "--format", "svg", env={"PATH": f"{tmp_path}:/usr/bin:/bin"})
    assert (result.returncode, result.stdout, result.stderr) == (3, "", f"facts: {said}\n")


def test_a_dot_that_runs_too_long_is_stopped(run, tmp_path):
    pid = tmp_path / "pid"
    fake_dot(tmp_path, f"echo $$ > {pid}\nexec sleep 30")
    result = run("graph", "--format", "png", env={"PATH": f"{tmp_path}:/usr/bin:/bin", "FACTS_DOT_TIMEOUT": "0.5"})
    assert (result.returncode, result.stdout) == (3, "")
    assert result.stderr.startswith("facts: Graphviz's `dot` was stopped after 0.5 s (")
    assert not Path(f"/proc/{pid.read_text().strip()}").exists()
    bad = run("graph", "--format", "svg", env={"PATH": f"{tmp_path}:/usr/bin:/bin", "FACTS_DOT_TIMEOUT": "soon"})
    assert bad.returncode == 2 and "FACTS_DOT_TIMEOUT: 'soon' is not a number of seconds" in bad.stderr


def running(pid: int) -> bool:
    """Whether a process is there and not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.parametrize(("signal_name", "code"), [("SIGTERM", -15), ("SIGINT", 130), ("SIGHUP", -1)])
def test_dot_is_stopped_with_facts(tmp_path, signal_name, code):
    """`facts` told to stop while `dot` draws stops `dot` too, and ends as the signal says: none is left running."""
    import os
    import signal
    import time

    pid = tmp_path / "pid"
    fake_dot(tmp_path, f"echo $$ > {pid}.tmp && mv {pid}.tmp {pid}\nexec sleep 30")
    environ = {**clean_environment(), "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    facts = subprocess.Popen(
        [str(FACTS_BIN), "graph", "--format", "svg"],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=in_the_foreground,
    )
    deadline = time.monotonic() + 30
    while not pid.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    dot = int(pid.read_text())
    assert running(dot)
    facts.send_signal(getattr(signal, signal_name))
    assert facts.wait(timeout=30) == code
    assert facts.stderr.read() == b""
    assert not running(dot)


def outline(*options: str, width: int = 200, bidi: str = "logical") -> list[str]:
    out = TTYStream(True)
    streams = Streams(None, out, io.StringIO(), clean_environment(COLUMNS=str(width), NO_COLOR="1"), paging=False)
    assert main(["graph", "--format", "text", "--bidi", bidi, *options], streams) == 0
    return out.getvalue().splitlines()


def headings(lines: list[str]) -> list[str]:
    return [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]


def test_the_outline_puts_the_entities_asked_for_first():
    """Tasmagambetov's one fact ties him to three entities of one fact each: by id, he came last."""
    assert headings(outline("--entity", "Tasmagambetov", "--lang", "en"))[0] == "tasmagambetov"
    assert headings(outline("--entity", "Moscow", "--entity", "Armenia"))[:2] == ["moscow", "armenia"]
    assert headings(outline("--entity", "Armenia", "--entity", "Moscow"))[:2] == ["armenia", "moscow"]
    whole = headings(outline())
    assert whole[:2] == ["russia", "shoigu"]  # without --entity, most facts first


def role_less_store(tmp_path: Path) -> Path:
    """The bundled store, the first fact's first participant with a null role, its second with none, and the
    first also its speaker."""
    data = document()
    fact = data["facts"]["1"]
    fact["participants"][0]["role"] = None
    del fact["participants"][1]["role"]
    fact["attributed_to"] = {"entity": fact["participants"][0]["entity"], "cue": "قال"}
    return write_store(tmp_path / "roles.json", data)


def test_a_participant_without_a_role_is_drawn_without_a_label(run, tmp_path):
    store = str(role_less_store(tmp_path))
    first = records("facts")[0]
    speaker, second = (f"entity:{p['entity']}" for p in first["participants"][:2])
    data = graph_json(run, "--db", store, "--lang", "en")
    links = {link["target"]: link for link in data["links"] if link["source"] == f"fact:{first['id']}"}
    assert (links[speaker]["roles"], links[speaker]["label"]) == (["", "speaker"], "Speaker")
    assert (links[second]["roles"], links[second]["label"]) == ([""], "")
    dot_source = run("graph", "--format", "dot", "--db", store).stdout
    edge = next(line for line in dot_source.splitlines() if f'"{second}"' in line and f"fact:{first['id']}" in line)
    assert "label" not in edge
    mermaid = run("graph", "--format", "mermaid", "--db", store).stdout
    assert '""' not in mermaid and "None" not in mermaid
    assert len(parse_mermaid(mermaid)[1]) == len(data["links"])
    lines = outline("--db", store, "--lang", "en", "--entity", second.split(":")[1])
    assert f"  {first['id']}  Agreement" in lines  # no " · " and nothing after it
    assert not [line for line in lines if "()" in line or line.rstrip().endswith("·") or "None" in line]
    assert "Sergei Shoigu (Speaker)" in " ".join(lines)


LONE = "\ud800"


def surrogate_store(tmp_path: Path) -> Path:
    """Lone surrogates (which JSON's `\\ud800` gives) in an entity's name and id, a role, a kind and a claim."""
    data = document()
    russia = data["entities"]["4"]
    russia["name"] = {"ar": f"روسيا{LONE}", "en": f"Russia{LONE}"}
    russia["kind"] = f"country{LONE}"
    fact = data["facts"]["1"]
    fact["participants"][0]["role"] = f"party{LONE}"
    fact["claim"] = fact["claim_en"] = f"claim{LONE}"
    fact["participants"][1]["entity"] = f"armenia{LONE}"
    path = tmp_path / "surrogates.json"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("fmt", "listing"), [("json", "json"), ("plain", "plain"), ("text", "table")])
def test_lone_surrogates_are_read_as_list_reads_them(run, tmp_path, fmt, listing):
    """A store that does not validate: `graph` answers what `list` answers in the same kind of format, exit code
    and all (plain cannot write a lone surrogate: one line, exit 5, for both), never a traceback."""
    store = str(surrogate_store(tmp_path))
    graph = run("graph", "--format", fmt, "--db", store)
    listed = run("list", "--format", listing, "--db", store, "--fields", "id,claim")
    assert graph.returncode == listed.returncode, (graph.stderr, listed.stderr)
    assert graph.stderr.count("\n") <= 1 and "Traceback" not in graph.stderr


def test_lone_surrogates_never_crash_a_format(run, tmp_path):
    store = str(surrogate_store(tmp_path))
    for fmt in ("json", "dot", "mermaid", "text", *(("svg", "png") if DOT else ())):
        result = subprocess.run(
            [str(FACTS_BIN), "graph", "--format", fmt, "--db", store], capture_output=True, env=clean_environment()
        )
        assert result.returncode == 0 and result.stderr == b"", (fmt, result.stderr)
        assert fmt == "png" or result.stdout.decode("utf-8")  # all of it UTF-8


@needs_dot
@pytest.mark.parametrize("bad", ["\x1b[31m", "\x00", "\x07", "\x7f", LONE, "\\", '"', "\\\\", '\\"', "&#27;", "\n\r\t"])
def test_every_dot_facts_writes_draws_into_a_well_formed_svg(run, tmp_path, bad):
    """Hostile labels and node names, through `dot -Tsvg` (as the guide says to use `--format dot`): Graphviz
    parses it, says nothing, and writes XML (a control character reference, `&#27;`, made the SVG unreadable, and a
    lone surrogate's made Pango warn of invalid UTF-8)."""
    data = document()
    russia = data["entities"]["4"]
    russia["name"] = {"ar": f"روسيا{bad}", "en": f"a{bad}b{bad}"}
    fact = data["facts"]["1"]
    fact["participants"][0]["role"] = f"r{bad}"
    fact["id"] = f"f{bad}"
    fact["participants"][1]["entity"] = f"e{bad}"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
    source = subprocess.run(
        [str(FACTS_BIN), "graph", "--format", "dot", "--db", str(path)], capture_output=True, env=clean_environment()
    )
    assert source.returncode == 0, source.stderr
    drawn_svg = subprocess.run([DOT, "-Tsvg"], input=source.stdout, capture_output=True)
    assert drawn_svg.returncode == 0 and drawn_svg.stderr == b"", drawn_svg.stderr
    nodes = svg_nodes(drawn_svg.stdout.decode("utf-8"))
    assert len([name for name in nodes if not name.startswith("legend")]) == len(
        graph_json(run, "--db", str(path))["nodes"]
    )


def test_the_fills_of_the_fact_types_are_told_apart():
    """Each pair of fills, and each fill and white (an unknown type's, and the page's), at least 15 apart by
    CIEDE2000 (2 is about the least a person sees side by side; the old tints were 3 apart), each under black
    text at a contrast of 7 or more (WCAG's AAA)."""
    from itertools import combinations

    from coloraide import Color

    from facts_cli.graph import FACT_COLOURS, UNKNOWN_COLOUR

    fills = [*FACT_COLOURS.values(), UNKNOWN_COLOUR]
    assert len(set(fills)) == len(fills)
    closest = min((Color(a).delta_e(b, method="2000"), a, b) for a, b in combinations(fills, 2))
    assert closest[0] >= 15, closest
    assert min(Color(fill).contrast("black") for fill in fills) >= 7


@needs_dot
def test_each_node_of_the_svg_has_its_full_name_or_claim_as_its_tooltip(run):
    result = run("graph", "--format", "svg", "--lang", "en")
    data = graph_json(run, "--lang", "en")
    tooltips = {}
    for group in ElementTree.fromstring(result.stdout).iter(f"{SVG}g"):
        if group.get("class") == "node":
            link = next(group.iter(f"{SVG}a"), None)
            title = "".join(group.find(f"{SVG}title").itertext())
            tooltips[title] = link.get("{http://www.w3.org/1999/xlink}title") if link is not None else None
    for node in data["nodes"]:
        if node["group"] == "fact":
            assert tooltips[node["id"]] == node["claim"]
        else:
            assert tooltips[node["id"]] == f"{node['label']} ({node['record']})"


def test_pictures_keep_their_colours_whatever_no_color_says(run):
    """NO_COLOR is about a terminal's colours: a picture is a file, its colours are its content."""
    for fmt in ("dot", "mermaid", *(("svg",) if DOT else ())):
        assert run("graph", "--format", fmt).stdout == run("graph", "--format", fmt, env={"NO_COLOR": "1"}).stdout


def test_the_readme_recipe_loads_the_json_into_networkx(run):
    """The README's Python recipe, as written, with the networkx the test extra pins (node_link_graph's `edges=`
    is 3.4's; from 3.6 its default is "edges", which `facts` does not write)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("facts graph --format json | python3 -c '")
    recipe = readme[start : readme.index("'\n", start + 40) + 1]
    result = subprocess.run(
        ["sh", "-c", recipe.replace("facts ", f"{FACTS_BIN} ", 1).replace("python3", sys.executable)],
        capture_output=True,
        text=True,
        env=clean_environment(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("[('entity:russia', ") and "Warning" not in result.stderr


def test_the_visual_outline_draws_arabic_as_the_listing_does():
    """In visual order, through the same layer as `list` (sanitiser, then BidiText): a line whose paragraph runs
    right to left is flush with the right edge, as `list` draws a claim; a line that starts with an id runs left to
    right, its Arabic in visual order; each is what the bidi module makes of the logical line."""
    width = 100
    logical = outline("--entity", "Tasmagambetov", width=width)
    visual = outline("--entity", "Tasmagambetov", width=width, bidi="visual")
    assert len(logical) == len(visual)
    right_to_left = 0
    for plain, drawn_line in zip(logical, visual, strict=True):
        text = plain.strip()
        if not re.search("[\u0600-\u06ff]", text):
            assert drawn_line == plain
            continue
        rtl = not re.match("[a-z0-9]", text)
        shown, _ = display(text, rtl)
        if rtl:
            right_to_left += 1
            assert drawn_line == shown.rjust(width), drawn_line
        else:
            assert drawn_line == plain[: len(plain) - len(plain.lstrip())] + shown
    assert right_to_left == 4  # the others each fact ties an entity to
