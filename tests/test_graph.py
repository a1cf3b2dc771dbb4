"""`facts graph`: the graph of facts and the entities they involve, in every format, checked against `facts list`,
networkx, Graphviz and the bidi oracles; and hostile text kept inert in each."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from conftest import BUNDLED, FACTS_BIN, REPO, TTYStream, clean_environment, write_store
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
    assert sorted(edge for edge in edges if not edge[0].startswith("legend")) == sorted(
        (link["source"], link["target"]) for link in data["links"]
    )
    for node in data["nodes"]:
        expected = node["label"] if node["group"] == "entity" else f"{node['label']}\n{node['record']}"
        assert drawn_nodes[node["id"]] == expected
    # The legend shows every kind, type and status drawn, each once.
    kinds = {node["kind"] for node in data["nodes"] if node["group"] == "entity"}
    types = {node["type"] for node in data["nodes"] if node["group"] == "fact"}
    statuses = {node["status"] for node in data["nodes"] if node["group"] == "fact"}
    legend = sorted(name.split(":", 1)[1] for name in nodes if name.startswith("legend:"))
    expected = [f"kind:{k}" for k in kinds] + [f"type:{t}" for t in types] + [f"status:{s}" for s in statuses]
    assert legend == sorted(expected)


MERMAID_LINE = re.compile(
    r'  (?:(?P<node>[ef]\d+)(?:\(\["|\{\{"|\[\["|>"|\[/"|\[\("|\[\\"|\["|\(\(")(?P<label>[^"]*)'
    r'(?:"\]\)|"\}\}|"\]\]|"\]|"/\]|"\\\]|"\)\]|"\)\))'
    r'|(?P<source>f\d+) (?:---|-\.-)\|"(?P<roles>[^"]*)"\| (?P<target>e\d+)'
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
        elif match["source"]:
            links.append((match["source"], match["target"], decode_mermaid(match["roles"])))
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
        assert nodes["entity:russia"] == HOSTILE
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
