"""Making text from a store inert before it reaches a terminal: controls and bidi overrides become visible escapes."""

from __future__ import annotations

_BIDI_EMBEDDINGS_AND_ISOLATES = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_LINE_SEPARATORS = [0x2028, 0x2029]


def _visible(code_point: int) -> str:
    if code_point < 0x20:
        return "^" + chr(code_point + 0x40)
    if code_point == 0x7F:
        return "^?"
    return f"<U+{code_point:04X}>"


_SURROGATES = range(0xD800, 0xE000)  # lone ones, from `\ud800` in JSON: no character, and no UTF-8 for them
_ESCAPES = {
    cp: _visible(cp)
    for cp in [
        *range(0x20),
        0x7F,
        *range(0x80, 0xA0),
        *_BIDI_EMBEDDINGS_AND_ISOLATES,
        *_LINE_SEPARATORS,
        *_SURROGATES,
    ]
}
_ESCAPES_KEEPING_NEWLINES = {**_ESCAPES, ord("\n"): "\n"}
_ESCAPES_KEEPING_LINES = {**_ESCAPES_KEEPING_NEWLINES, ord("\t"): "\t"}


def sanitize(text: str, *, keep_newlines: bool = False, keep_tabs: bool = False) -> str:
    """`text` with C0/C1 controls as `^X` or `<U+XXXX>`; bidi embeddings, overrides and isolates, line separators
    and lone surrogates as `<U+XXXX>`.

    ESC becomes `^[`, so no escape sequence from a store can reach the terminal; with `keep_newlines`, line feeds
    stay (for multi-line text such as an article), with `keep_tabs` tabs too (the lines of machine formats, shown
    on a terminal), and every other control is still escaped.
    """
    if keep_tabs:
        return text.translate(_ESCAPES_KEEPING_LINES)
    return text.translate(_ESCAPES_KEEPING_NEWLINES if keep_newlines else _ESCAPES)
