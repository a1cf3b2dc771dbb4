"""An SVG picture asked for on a terminal: shown as the text it is, made inert like every machine format there,
directly or through the pager."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import FACTS_BIN, clean_environment, in_pty

ARGS = ["graph", "--format", "svg", "--entity", "balkhash"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot draws the picture")
@pytest.mark.parametrize("pager", ["", "sed s/^//"])
def test_an_svg_picture_on_a_terminal_is_its_text_made_inert(run, pager):
    piped = run(*ARGS)
    assert piped.returncode == 0, piped.stderr
    svg = piped.stdout
    assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", svg)
    assert re.search(r"[\u2066-\u2069]", svg), "right-to-left names are isolated for the SVG's viewer"
    # On a terminal, the isolates are shown as escapes, as every control of a machine format is there.
    inert = re.sub(r"[\u2066-\u2069]", lambda match: f"<U+{ord(match[0]):04X}>", svg)
    environ = clean_environment(TERM="xterm", COLUMNS="80", LINES="24", NO_COLOR="1", FACTS_PAGER=pager)
    shown = in_pty([str(FACTS_BIN), *ARGS], environ).decode("utf-8").replace("\r\n", "\n")
    assert shown == inert
