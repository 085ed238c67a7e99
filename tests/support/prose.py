"""Checks on Markdown prose: lines at most 100 columns, paragraphs filled.

A generated README wraps its prose at 100 columns, whatever the answers put into a sentence:
no line of prose is longer, and none stops short when the next word would have fitted (a
paragraph written by hand around a conditional). Code blocks, tables and headings are left out;
a `code span` counts as one word, since the templates never break one.
"""

from __future__ import annotations

import re

WIDTH = 100
# A list item's text after its marker: the templates wrap it two columns narrower.
BULLET = re.compile(r"^(\s*)- ")


def _first_word(line: str) -> str:
    """The first word of `line`; a code span that opens in it runs on to where it closes."""
    words = line.split()
    end = 1
    while sum(word.count("`") for word in words[:end]) % 2 and end < len(words):
        end += 1
    return " ".join(words[:end])


def _paragraphs(text: str) -> list[list[tuple[int, str]]]:
    """The prose of `text` as paragraphs (list items apart), each a list of (line number, line)."""
    paragraphs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    in_code = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
        if in_code or stripped.startswith(("```", "|", "#")) or not stripped:
            current = []
            continue
        if BULLET.match(line) or not current:
            current = []
            paragraphs.append(current)
        current.append((number, line))
    return paragraphs


def prose_problems(text: str) -> list[str]:
    """Lines of prose over 100 columns, and lines that stop before a word that would have fitted."""
    problems = []
    for paragraph in _paragraphs(text):
        for index, (number, line) in enumerate(paragraph):
            if len(line) > WIDTH:
                problems.append(f"line {number} has {len(line)} columns: {line[:60]}...")
            if index + 1 == len(paragraph):
                continue
            # A list item's first line is wrapped two columns narrower, its indented rest not.
            width = WIDTH - 2 if index == 0 and BULLET.match(line) else WIDTH
            word = _first_word(paragraph[index + 1][1])
            if len(line) + 1 + len(word) <= width:
                problems.append(f"line {number} stops before {word!r}, which fits: {line[:60]}...")
    return problems
