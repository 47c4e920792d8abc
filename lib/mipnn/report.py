"""The notebooks' page furniture, so that what a reader sees is computed, short and fits the page.

* :func:`glance_row` / :func:`glance_table` — the "results at a glance" table that opens every notebook: one line
  per claim, columns ``claim · paper · ours · verdict``, every cell ≤ :data:`MAX_CELL` characters, the verdict
  decided by :func:`mipnn.verdict.verdict` from the two :class:`~mipnn.verdict.Side` s (a claim the paper gives no
  number for gets the rule's ``"no reference"``, optionally followed by what we found);
* :func:`markdown_table` — a short table as Markdown (cells wrap: for the glance table);
* :func:`show_table` — displays a table only if it fits: longer than ``max_rows`` (~25) rows or wider than the page
  (``max_width`` characters), it writes the whole table to a CSV, shows a page of it (or the columns split into
  groups that fit) and names the CSV;
* :func:`markdown` — Markdown rendered from data: prose numbers are placeholders filled from the summary, so the text
  cannot drift from the numbers it describes (``display(markdown("gap {gap:.3f} at K = {K}", gap=..., K=...))``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

import pandas as pd

from .paths import check_name, figures_dir
from .verdict import Side, verdict

__all__ = ["MAX_CELL", "MAX_ROWS", "MAX_WIDTH", "GLANCE_COLUMNS", "glance_row", "glance_table", "markdown_table",
           "table_width", "show_table", "markdown"]

#: Longest cell of a glance table (characters).
MAX_CELL = 120
#: Longest table shown whole in a stored output.
MAX_ROWS = 25
#: Widest table (characters of its plain-text rendering) shown whole: about a notebook page.
MAX_WIDTH = 160
GLANCE_COLUMNS = ("claim", "paper", "ours", "verdict")


def glance_row(claim: str, paper: str, ours: str, *, paper_side: Side | None = None, ours_side: Side | None = None,
               finding: str | None = None, detail: bool = True, **rule) -> dict[str, str]:
    """One glance line. ``paper``/``ours`` are the texts shown; the verdict is :func:`mipnn.verdict.verdict`
    ``(paper_side, ours_side, **rule)`` — a missing ``paper_side`` means the paper gives no number (``"no
    reference"``). The verdict cell is the rule's text (``detail=False``: its category only, e.g. for a deviation
    from an exact identity, where "±0.0" says nothing); ``finding`` is appended after a colon (what we found)."""
    none = Side(None)
    v = verdict(paper_side if paper_side is not None else none, ours_side if ours_side is not None else none, **rule)
    text = v.text if detail and v.category not in ("no reference", "no result") else v.category
    if finding:
        text = f"{text}: {finding}"
    row = {"claim": claim, "paper": paper, "ours": ours, "verdict": text}
    for k, cell in row.items():
        if not isinstance(cell, str) or not cell.strip():
            raise ValueError(f"glance cell {k!r} of {claim!r} must be a non-empty string")
        if len(cell) > MAX_CELL:
            raise ValueError(f"glance cell {k!r} of {claim!r} has {len(cell)} characters (> {MAX_CELL}); shorten it "
                             f"and put the detail in a table below: {cell!r}")
    return row


def glance_table(rows: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    """The glance rows (from :func:`glance_row`) as a DataFrame with the columns :data:`GLANCE_COLUMNS`."""
    if not rows:
        raise ValueError("a glance table needs at least one row")
    for r in rows:
        if set(r) != set(GLANCE_COLUMNS):
            raise ValueError(f"glance rows have exactly the keys {GLANCE_COLUMNS}; got {sorted(r)}")
        if max(len(str(v)) for v in r.values()) > MAX_CELL:
            raise ValueError(f"a glance cell is longer than {MAX_CELL} characters: {r}")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{len(rows)} glance rows; keep the table at most {MAX_ROWS} lines (one per claim)")
    return pd.DataFrame(list(rows), columns=list(GLANCE_COLUMNS))


def markdown_table(df: pd.DataFrame):
    """``IPython.display.Markdown`` of a short table (e.g. the glance table): its cells wrap on the page, so a table
    of ≤ :data:`MAX_CELL`-character cells is never wider than the page. Refuses more than :data:`MAX_ROWS` rows."""
    from IPython.display import Markdown

    if len(df) > MAX_ROWS:
        raise ValueError(f"{len(df)} rows: a Markdown table shows at most {MAX_ROWS}; use show_table")

    def cell(v) -> str:
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return Markdown("\n".join(lines))


def _col_width(series: pd.Series, name) -> int:
    values = series.map(str)  # astype(str) keeps NaN as a float in an object column
    return max([len(str(name))] + [len(v) for v in values]) + 2


def table_width(df: pd.DataFrame) -> int:
    """Characters of one line of the table's plain-text rendering (index included)."""
    index_w = _col_width(pd.Series(df.index), df.index.name or "")
    return index_w + sum(_col_width(df[c], c) for c in df.columns)


def _column_groups(df: pd.DataFrame, keys: Sequence[str], max_width: int) -> list[list[str]]:
    base = table_width(df[list(keys)]) if keys else table_width(df.iloc[:, :0])
    groups, current, width = [], [], base
    for c in df.columns:
        if c in keys:
            continue
        w = _col_width(df[c], c)
        if current and width + w > max_width:
            groups.append(current)
            current, width = [], base
        current.append(c)
        width += w
    if current:
        groups.append(current)
    return [list(keys) + g for g in groups]


def show_table(df: pd.DataFrame, *, notebook: str | None = None, name: str | None = None, keys: Sequence[str] = (),
               max_rows: int = MAX_ROWS, max_width: int = MAX_WIDTH, page: int = 0) -> None:
    """Display ``df`` if it fits (≤ ``max_rows`` rows, ≤ ``max_width`` characters wide); otherwise write it whole to
    ``figures/<notebook>/<name>.csv`` and display page ``page`` of ``max_rows`` rows, its columns split into groups
    that fit (each repeating the ``keys`` columns), with a line naming the CSV. Returns nothing (a notebook cell
    ending in it shows only the table)."""
    from IPython.display import Markdown, display

    if not isinstance(df, pd.DataFrame):
        raise ValueError("show_table takes a pandas DataFrame")
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise ValueError(f"keys {missing} are not columns of the table; columns: {list(df.columns)}")
    too_long, too_wide = len(df) > max_rows, table_width(df) > max_width
    if not (too_long or too_wide):
        display(df)
        return
    if notebook is None or name is None:
        raise ValueError(f"the table has {len(df)} rows and is {table_width(df)} characters wide (limits {max_rows} "
                         f"rows, {max_width} characters): pass notebook= and name= so that it is written to a CSV")
    check_name("name", name)
    path = figures_dir(notebook) / f"{name}.csv"
    df.to_csv(path, index=False, float_format="%.10g")
    pages = max(1, -(-len(df) // max_rows))
    if not 0 <= page < pages:
        raise ValueError(f"page={page} is outside 0..{pages - 1}")
    part = df.iloc[page * max_rows:(page + 1) * max_rows]
    groups = _column_groups(part, keys, max_width) if too_wide else [list(df.columns)]
    note = (f"{len(df)} rows × {len(df.columns)} columns; shown: rows {page * max_rows + 1}–"
            f"{page * max_rows + len(part)} (page {page + 1} of {pages})"
            + (f", columns in {len(groups)} groups" if len(groups) > 1 else "")
            + f". Whole table: `figures/{notebook}/{name}.csv`.")
    display(Markdown(note))
    for cols in groups:
        display(part[cols])


def markdown(template: str, /, **values):
    """``IPython.display.Markdown`` of ``template`` with its ``{placeholders}`` filled from ``values`` (format
    specs allowed: ``{gap:.3f}``). Every placeholder must be given and every value used, so a number cannot be typed
    into the prose or silently dropped."""
    from IPython.display import Markdown

    fields = {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}
    missing, unused = fields - set(values), set(values) - fields
    if missing:
        raise KeyError(f"markdown template needs {sorted(missing)}")
    if unused:
        raise ValueError(f"values {sorted(unused)} are not used by the markdown template")
    return Markdown(template.format(**values))
