"""The results page quotes the published board and nothing else.

``docs/results.md`` reads ``leaderboard/`` for a lab. Every decimal figure in its prose
and tables must occur in the board's human-readable text (``README.md``, ``findings.csv``,
``provenance.json``), so the page cannot carry a figure worked out by hand. The board's
README holds over a thousand distinct figures, so one stale figure may match by chance,
but a page drawn from an older run fails. Numbers in code (commands) are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "results.md"
BOARD = ROOT / "leaderboard"

#: a decimal figure, signed or not; the minus may be typographic
_DECIMAL = re.compile(r"(?<![\w.])[-−]?\d+\.\d+(?![\w.]*\d)")
_FENCED = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`]*`")


def quoted_figures(markdown: str) -> list[str]:
    """Decimal figures of ``markdown`` outside code, minus signs made ASCII.

    Parameters
    ----------
    markdown : str
        The page's text.

    Returns
    -------
    list of str
        Each figure as written, e.g. ``"0.835"`` or ``"-0.091"``.
    """
    prose = _INLINE_CODE.sub(" ", _FENCED.sub(" ", markdown))
    return [m.group(0).replace("−", "-") for m in _DECIMAL.finditer(prose)]


#: the files of a board a reader reads (aggregated.csv is left out: at full precision
#: its tens of thousands of values would match almost any figure)
BOARD_TEXT_FILES = ("README.md", "findings.csv", "provenance.json")


def board_text(board: Path) -> str:
    """The text of a published board's :data:`BOARD_TEXT_FILES`, minus signs made ASCII."""
    parts = [(board / name).read_text(encoding="utf-8") for name in BOARD_TEXT_FILES if (board / name).is_file()]
    return "\n".join(parts).replace("−", "-")


def unfound(figures: list[str], text: str) -> list[str]:
    """Figures that do not occur in ``text`` as a number (a longer decimal counts: 0.83 in 0.8312).

    A figure occurs when it is not preceded by a digit, a point or a letter; an unsigned
    figure also matches a negative one's digits only when written with its sign.
    """
    missing = []
    for figure in dict.fromkeys(figures):
        pattern = r"(?<![\w.\-])" + re.escape(figure)
        if not re.search(pattern, text):
            missing.append(figure)
    return missing


def test_quoted_figures_skip_code_and_read_signs():
    page = "r 0.835 and −0.091 [−0.28, 0.15]\n```bash\nrsbench --x 0.5\n```\n`seed 1.2` ok 3 cells"
    assert quoted_figures(page) == ["0.835", "-0.091", "-0.28", "0.15"]


def test_unfound_needs_the_number_not_a_digit_run_inside_another():
    text = "cnn | 0.8351 | -0.091 | 10.25"
    assert unfound(["0.835", "-0.091", "0.25", "0.091"], text) == ["0.25", "0.091"]


@pytest.mark.skipif(not (BOARD / "README.md").is_file(), reason="no published leaderboard/README.md in this checkout")
def test_results_page_quotes_only_the_published_board():
    figures = quoted_figures(PAGE.read_text(encoding="utf-8"))
    assert figures, "docs/results.md quotes no figure; the test would prove nothing"
    missing = unfound(figures, board_text(BOARD))
    assert not missing, (
        f"docs/results.md quotes {len(missing)} figure(s) not found in leaderboard/ "
        f"({', '.join(BOARD_TEXT_FILES)}): {missing[:20]}; quote the published files, "
        "or re-publish and rewrite the page"
    )
