"""Every view for people, at 60, 80 and 120 columns, in logical and visual order, as a terminal gets it: no line
wider than the terminal, every id whole on one line, every word of every claim shown, and every right-to-left
line equal to GNU FriBidi's rendering of a line of the logical text, the lines of a claim following each other.

The commands run in-process (`facts_cli.app.main` with streams of the test's own, a terminal of that width).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable

import pytest
from conftest import BUNDLED, FRIBIDI, TTYStream, fribidi
from rich.cells import cell_len

from facts_cli.app import main
from facts_cli.bidi import is_rtl
from facts_cli.render import TEXT_WIDTHS, table_fits
from facts_cli.streams import Streams
from facts_cli.views import facts_view

DOCUMENT = json.loads(BUNDLED.read_text(encoding="utf-8"))
FACTS = list(DOCUMENT["facts"].values())
ENTITIES = list(DOCUMENT["entities"].values())
ARTICLE = next(iter(DOCUMENT["sources"].values()))["text"]
WIDTHS = [60, 80, 120]
MODES = ["logical", "visual"]
ARABIC = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")


def screen(args: list[str], width: int, mode: str) -> str:
    """What a terminal `width` columns wide shows of `facts ARGS --bidi MODE` (no pager, no colour)."""
    out, err = TTYStream(True), io.StringIO()
    environ = {"COLUMNS": str(width), "LINES": "40", "TERM": "xterm", "NO_COLOR": "1"}
    code = main([*args, "--bidi", mode], Streams(None, out, err, environ, paging=False))
    assert code == 0, err.getvalue()
    return out.getvalue()


def whole(identifier: str, lines: Iterable[str]) -> bool:
    pattern = re.compile(rf"(?<![\w-]){re.escape(identifier)}(?![\w-])")
    return any(pattern.search(line) for line in lines)


def segments(lines: Iterable[str]) -> list[str]:
    """The pieces of text on the screen: what runs of two spaces or more (between columns, padding) separate."""
    return [piece for line in lines for piece in re.split(r" {2,}", line.strip()) if piece]


def words_in_order(text: str, shown: list[str]) -> bool:
    """Whether the words of `text` stand whole, in order, among the words shown."""
    position = 0
    for word in text.split():
        try:
            position = shown.index(word, position) + 1
        except ValueError:
            return False
    return True


class Renderings:
    """FriBidi's rendering of every run of consecutive words of some logical texts: what a visual line of them
    must be, wherever a renderer broke it."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = [text for text in dict.fromkeys(texts) if ARABIC.search(text)]
        self.ranges: dict[str, dict[str, tuple[int, int]]] = {}
        logical: list[tuple[str, str, int, int]] = []
        for text in self.texts:
            words = text.split(" ")
            logical += [
                (text, " ".join(words[i:j]), i, j) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
            ]
        for rtl in (True, False):
            chosen = [item for item in logical if is_rtl(item[0]) == rtl]
            for (text, _, i, j), visual in zip(chosen, fribidi([line for _, line, _, _ in chosen], rtl), strict=True):
                self.ranges.setdefault(text, {}).setdefault(visual, (i, j))

    def known(self, piece: str) -> bool:
        return any(piece in ranges for ranges in self.ranges.values())

    def covered(self, text: str, pieces: list[str]) -> bool:
        """Whether `pieces`, in order, hold the lines of `text` one after the other, from its first word to its last."""
        ranges, end, at = self.ranges[text], len(text.split(" ")), 0
        for piece in pieces:
            found = ranges.get(piece)
            if found and found[0] in (at, 0):  # the next line, or a first line (what came before was another text)
                at = found[1]
                if at == end:
                    return True
        return False


VIEWS = {
    "list": (["list"], [f["id"] for f in FACTS], [f["claim"] for f in FACTS]),
    "list en": (["list", "--lang", "en"], [f["id"] for f in FACTS], [f["claim_en"] for f in FACTS]),
    "search": (["search", "كازاخستان"], None, None),
    "timeline": (["timeline"], [f["id"] for f in FACTS if f["time"]], [f["claim"] for f in FACTS if f["time"]]),
    "stats": (["stats"], [e["id"] for e in ENTITIES if e["id"] not in ("cis-joint-air-defence-system",)], None),
    "entities": (["entities"], [e["id"] for e in ENTITIES], [e["name"]["ar"] for e in ENTITIES]),
    "types": (["types"], ["agreement", "facility-use", "publication"], None),
    "show": (["show", "ru-kz-s300-delivered", "s300-growing-importance"], None, None),
    "source": (["source"], None, [line for line in ARTICLE.split("\n") if line]),
    "source of a fact": (["source", "kz-near-daily-threats"], ["kz-near-daily-threats"], None),
}


def search_hits() -> list[dict]:
    out = io.StringIO()
    assert main(["search", "كازاخستان", "--format", "json"], Streams(None, out, io.StringIO(), {})) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_fits_keeps_ids_whole_and_shows_every_word(view, width, mode):
    args, ids, texts = VIEWS[view]
    if view == "search":
        hits = search_hits()
        ids, texts = [hit["id"] for hit in hits], [hit["claim"] for hit in hits]
    if view == "show":
        shown = [f for f in FACTS if f["id"] in args]
        ids, texts = [f["id"] for f in shown], [f["claim"] for f in shown] + [f["quote"] for f in shown]
    lines = screen(args, width, mode).split("\n")
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    for identifier in ids or []:
        assert whole(identifier, lines), identifier
    if mode == "logical":
        shown_words = " ".join(lines).split()
        for text in texts or []:
            assert words_in_order(text, shown_words), text
        assert not re.search(r"[\ufb50-\ufdff\ufe70-\ufeff]", "\n".join(lines)), "shaped text in logical mode"


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    ("view", "args", "field"),
    [
        ("list", ["list"], "claim"),
        ("timeline", ["timeline"], "claim"),
        ("search", ["search", "روسيا"], "claim"),
        ("show", ["show", *(f["id"] for f in FACTS[:6])], "claim"),
        ("show quotes", ["show", *(f["id"] for f in FACTS[6:12])], "quote"),
    ],
)
def test_every_visual_line_of_a_claim_is_fribidis_rendering_of_its_logical_line(view, args, field, width):
    lines = screen(args, width, "visual").split("\n")
    pieces = segments(lines)
    texts = [f[field] for f in FACTS if f["id"] in lines_ids(lines)]
    assert texts
    renderings = Renderings(texts)
    for text in texts:
        assert renderings.covered(text, pieces), (width, text)


@pytest.mark.skipif(FRIBIDI is None, reason="GNU FriBidi's fribidi (Debian's libfribidi-bin) is not installed")
@pytest.mark.parametrize("width", WIDTHS)
def test_every_visual_line_of_the_article_and_the_names_is_fribidis_rendering(width):
    article = [line for line in ARTICLE.split("\n") if line]
    pieces = segments(screen(["source"], width, "visual").split("\n"))
    renderings = Renderings(article)
    assert all(renderings.covered(line, pieces) for line in article if ARABIC.search(line))
    assert all(renderings.known(piece) for piece in pieces if ARABIC.search(piece))
    names = [e["name"]["ar"] for e in ENTITIES]
    pieces = segments(screen(["entities"], width, "visual").split("\n"))
    renderings = Renderings(names)
    assert all(renderings.covered(name, pieces) for name in names)
    assert all(renderings.known(piece) for piece in pieces if ARABIC.search(piece))


def lines_ids(lines: list[str]) -> set[str]:
    return {f["id"] for f in FACTS if whole(f["id"], lines)}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_table_when_the_claims_get_a_readable_width_else_blocks(width):
    view = facts_view(FACTS, "ar")
    table = table_fits(view, view.columns, width)
    first = screen(["list"], width, "logical").split("\n")[0]
    assert first.split() == (["ID", "TYPE", "STATUS", "TIME", "CLAIM"] if table else ["ID", "TYPE", "STATUS", "TIME"])
    assert table == (width >= 29 + 12 + 7 + 11 + 4 * 2 + TEXT_WIDTHS["claim"])


def test_stacked_blocks_put_each_claim_under_its_fact_over_the_whole_width():
    lines = screen(["list", "--lang", "en"], 80, "logical").split("\n")
    assert lines[:2] == ["ID                             TYPE          STATUS   TIME", "    CLAIM"]
    at = lines.index(next(line for line in lines if line.startswith("ru-kz-s300-free ")))
    assert lines[at].split() == ["ru-kz-s300-free", "delivery", "done"]
    assert lines[at + 1] == "    Russia handed S-300 systems over to Kazakhstan free of charge."
    assert lines[at + 2] == ""
    assert max(len(line) for line in lines if line.startswith("    ")) > 70
    assert not any(line != line.rstrip() for line in lines)


def test_right_to_left_claims_are_right_aligned_in_blocks():
    lines = screen(["list"], 80, "visual").split("\n")
    claims = [line for line in lines if ARABIC.search(line)]
    assert claims and all(line.startswith("    ") for line in claims)
    assert sum(cell_len(line) == 80 for line in claims) >= len(FACTS)


def test_stats_show_their_groups_and_right_aligned_counts():
    lines = screen(["stats", "--lang", "en"], 80, "logical").split("\n")
    assert [line for line in lines if line.startswith("By ")] == ["By type", "By entity", "By speaker", "By year"]
    assert lines[0].split() == ["KEY", "LABEL", "COUNT"]
    count_column = lines[0].index("COUNT") + len("COUNT")
    rows = [line for line in lines if re.search(r"\s\d+$", line) and not line.startswith(" ")]
    assert rows and all(len(line) == count_column for line in rows)
    assert "Sergei Shoigu" in "\n".join(lines) and "Russia" in "\n".join(lines)
    arabic = screen(["stats"], 80, "logical")
    assert "سيرغي شويغو" in arabic and "المقال نفسه" in arabic
    narrow = screen(["stats"], 60, "logical").split("\n")
    counts = [line for line in narrow if re.fullmatch(r"\S+ +\d+", line)]
    assert counts and len({len(line) for line in counts}) == 1, "counts right-aligned in blocks too"


def test_colour_marks_status_and_is_never_alone():
    out = TTYStream(True)
    environ = {"COLUMNS": "80", "TERM": "xterm-256color"}
    assert (
        main(["list", "--lang", "en", "--bidi", "logical"], Streams(None, out, io.StringIO(), environ, paging=False))
        == 0
    )
    coloured = out.getvalue()
    assert "\x1b[32mdone" in coloured and "\x1b[33mongoing" in coloured
    plain = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert plain == screen(["list", "--lang", "en"], 80, "logical")


def test_the_readmes_screens_are_what_facts_prints():
    readme = (BUNDLED.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(ID .*?)\n\.\.\.\n```", readme, re.DOTALL)
    assert len(blocks) == 2
    for block, args in zip(blocks, (["list"], ["search", "كازاخستان"]), strict=True):
        shown = screen(args, 80, "logical")
        assert shown.startswith(block + "\n"), args
