"""Generated READMEs wrap their prose at 100 columns, whatever the answers put into a sentence."""

from __future__ import annotations

from pathlib import Path

from support.prose import prose_problems


class TestReadmeProse:
    """Every prose paragraph of the README is filled to 100 columns; code and tables are not."""

    def test_prose_is_wrapped_at_100_columns(self, project: Path) -> None:
        """No prose line is over 100 columns, and none stops before a word that would fit."""
        problems = prose_problems((project / "README.md").read_text())
        assert not problems, "\n".join(problems)


class TestProseCheck:
    """The check flags what a conditional in the middle of a sentence leaves, and nothing else."""

    def test_a_long_line_is_flagged(self) -> None:
        """A line of 101 columns is too long."""
        assert prose_problems("word " * 20 + "x" * 1 + "\n")[0].startswith("line 1 has 101")

    def test_a_short_line_before_a_word_that_fits_is_flagged(self) -> None:
        """A paragraph broken early, as a hand-wrapped line beside a conditional leaves it."""
        assert prose_problems("short line\nnext words\n") == [
            "line 1 stops before 'next', which fits: short line..."
        ]

    def test_a_filled_paragraph_passes(self) -> None:
        """Lines that each end where the next word would pass 100 columns are fine."""
        first = "a" * 95 + " bbbb"  # 100 columns
        assert prose_problems(f"{first}\ncccc dd\n") == []

    def test_a_list_item_is_filled_two_columns_narrower(self) -> None:
        """A list item's first line ends where its next word would pass 98 columns."""
        item = "- " + "a" * 93  # 95 columns: a 3-letter word would end at 99
        assert prose_problems(f"{item}\n  bbb\n") == []
        assert prose_problems(f"{item}\n  bb\n")

    def test_code_blocks_tables_and_headings_are_left_out(self) -> None:
        """Long lines in fenced code, tables and headings are not prose."""
        long = "x" * 150
        text = f"# {long}\n\n```sh\n{long}\n```\n\n| {long} |\n"
        assert prose_problems(text) == []

    def test_a_code_span_counts_as_one_word(self) -> None:
        """The next word is the whole `code span` it opens, which the templates never break."""
        first = "a" * 80
        assert prose_problems(f"{first}\n`uv run python -m demo.worker --burst` b\n") == []
