"""Tables as data (Grid), drawn by rich on a terminal, or written here as plain text
without importing rich (rich.console and rich.table take some 25 ms to import, a sixth of
the start-up of a small fit whose table goes to a pipe or a file).

Plain text is written where rich would not style the output (not a terminal, by rich's
own public test, FORCE_COLOR and TTY_COMPATIBLE included) and its encoding is UTF-8.
What it promises (tests/test_render_plain.py), and not rich's layout byte for byte, so
that no rich release can change it: the words rich would draw, in the same order; each
column as wide as its longest cell, one space of padding each side, the SIMPLE_HEAD look
(a rule under the header, a blank line around the table), a left-justified title; when
the table is wider than the width, the widest wrapable column is narrowed a cell at a
time, its cells wrapped at spaces, never below its longest word: a name or a number is
never split, and a table that cannot be narrowed enough is written wider than the width.
Text rich must escape or measure (control characters, a non-printable character) and
any other box or title justification go to rich (plain_text gives None)."""
import os
import re
import sys

SIMPLE_HEAD = "simple_head"


class Grid:
    """A table as data, with the part of rich.table.Table's interface mlefit uses, and
    pad_edge=False always. rich draws it through __rich__."""

    def __init__(self, title=None, box=SIMPLE_HEAD, show_header=True, title_justify="left"):
        self.title, self.box, self.show_header, self.title_justify = title, box, show_header, title_justify
        self.columns, self.rows = [], []

    def add_column(self, header="", justify="left", style=None, overflow="ellipsis", no_wrap=False, width=None):
        """width: a fixed width of the text (padding not counted), as rich's Column.width."""
        self.columns.append({"header": header, "justify": justify, "style": style, "overflow": overflow,
                             "no_wrap": no_wrap, "width": width})

    def add_row(self, *cells):
        if len(cells) > len(self.columns):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(self.columns)} columns")
        self.rows.append(list(cells) + [""] * (len(self.columns) - len(cells)))

    def __rich__(self):
        from rich import box
        from rich.table import Table

        table = Table(title=self.title, box=box.SIMPLE_HEAD if self.box == SIMPLE_HEAD else None,
                      show_header=self.show_header, title_justify=self.title_justify, pad_edge=False)
        for c in self.columns:
            table.add_column(c["header"], justify=c["justify"], style=c["style"], overflow=c["overflow"],
                             no_wrap=c["no_wrap"], width=c.get("width"))
        for row in self.rows:
            table.add_row(*row)
        return table


def plain_width(file=None):
    """The width rich would lay out in when it would write plain text to `file` (None:
    standard output); None when rich must draw (a terminal, or a case not handled here)."""
    import builtins

    file = sys.stdout if file is None else file
    if file is None or sys.platform == "win32" or hasattr(builtins, "get_ipython") \
            or hasattr(file, "rich_proxied_file"):
        return None  # no output, legacy Windows consoles, Jupyter, a rich Live display: rich's cases
    encoding = (getattr(file, "encoding", "utf-8") or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # rich would draw ASCII boxes
    if is_terminal(file):
        return None
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):  # as Console.size: the first standard stream that is a terminal
        try:
            return os.get_terminal_size(fd).columns or 80
        except (AttributeError, ValueError, OSError):
            pass
    return 80


def is_terminal(file=None):
    """Whether rich treats `file` (None: standard output) as a terminal: as
    rich.console.Console.is_terminal, TTY_COMPATIBLE and FORCE_COLOR included."""
    file = sys.stdout if file is None else file
    environ = os.environ
    tty_compatible = environ.get("TTY_COMPATIBLE", "")
    if tty_compatible == "0":  # "0" says no terminal
        return False
    if tty_compatible == "1" or environ.get("FORCE_COLOR") not in (None, ""):
        return True
    if environ.get("FORCE_COLOR") is not None:
        return False
    isatty = getattr(file, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except ValueError:  # closed: rich says not a terminal
        return False


def _plain(text):
    return isinstance(text, str) and text.isprintable()


def cells(text):
    """The terminal cells `text` takes: one per character, two for East Asian wide and
    full-width ones, none for combining marks."""
    if text.isascii():
        return len(text)
    import unicodedata
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


_WORD = re.compile(r"\s*\S+\s*")  # a word with the spaces before (at the start) and after it


def _wrap(text, width):
    """`text` in lines of at most `width` cells, broken at spaces only (the spaces at a
    break dropped): a word is never split, and one longer than the width has a line of
    its own, longer than the width."""
    lines, line = [], ""
    for match in _WORD.finditer(text):
        word = match.group()
        if line and cells(line) + cells(word.rstrip()) > width:
            lines.append(line.rstrip())
            line = word
        else:
            line += word
    return lines + [line.rstrip()]


def _cell_lines(text, width, column):
    """The lines of one cell's text, wrapped to `width` cells (never inside a word) and
    justified in it."""
    lines = [text.rstrip()] if column["no_wrap"] else _wrap(text, width)
    justify = column["justify"]
    if justify == "left":
        return [_padded(line, width) for line in lines]
    if justify == "right":
        return [" " * (width - cells(line)) + line for line in lines]
    return [" " * ((width - cells(line)) // 2) + line + " " * (width - cells(line) - (width - cells(line)) // 2)
            for line in lines]


def _column_widths(grid, rows, pads, max_width):
    """Each column as wide as its longest cell, padding included; while the table is
    wider than max_width, the widest column that can still be narrowed (a wrapable one,
    down to its longest word) loses a cell. The sum may stay above max_width."""
    longest = [max((cells(row[i].rstrip()) for row in rows), default=0) if c.get("width") is None else c["width"]
               for i, c in enumerate(grid.columns)]
    shortest = [longest[i] if c["no_wrap"] or c.get("width") is not None else
                max((cells(w.strip()) for row in rows for w in _WORD.findall(row[i])), default=0)
                for i, c in enumerate(grid.columns)]
    widths = [n + left + right for n, (left, right) in zip(longest, pads)]
    least = [max(n, 1) + left + right for n, (left, right) in zip(shortest, pads)]
    while sum(widths) > max_width:
        narrowable = [i for i, (w, m) in enumerate(zip(widths, least)) if w > m]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: (widths[i], i))
        widths[widest] -= 1
    return widths


def _padded(line, width):
    return line + " " * (width - cells(line))


def _grid_text(grid, width):
    """The plain text of `grid` in about `width` cells, or None for what only rich draws
    (another box or title justification, a cell that is not printable text)."""
    n = len(grid.columns)
    rows = ([[c["header"] for c in grid.columns]] if grid.show_header else []) + grid.rows
    if n == 0 or not rows or grid.box not in (None, SIMPLE_HEAD) or grid.title_justify != "left" or \
            any(c["justify"] not in ("left", "right", "center") for c in grid.columns) or \
            not all(_plain(cell) for row in rows for cell in row) or \
            (grid.title and not _plain(grid.title)):
        return None
    pads = [(0 if i == 0 else 1, 0 if i == n - 1 else 1) for i in range(n)]  # one space between columns
    edge = 2 + (n - 1) if grid.box else 0
    widths = _column_widths(grid, rows, pads, width - edge)
    table_width = sum(widths) + edge
    lines = [_padded(line, table_width) for line in _wrap(grid.title, table_width)] if grid.title else []
    if grid.box:
        lines.append(" " * table_width)
    gap = " " if grid.box else ""
    for index, row in enumerate(rows):
        parts = [[" " * left + line + " " * right for line in _cell_lines(text, w - left - right, column)]
                 for text, w, (left, right), column in zip(row, widths, pads, grid.columns)]
        height = max(len(part) for part in parts)
        header = index == 0 and grid.show_header  # a header sits at the bottom of its lines, a row at the top
        parts = [([" " * w] * (height - len(part)) + part) if header else (part + [" " * w] * (height - len(part)))
                 for part, w in zip(parts, widths)]
        lines += [gap + gap.join(part[line] for part in parts) + gap for line in range(height)]
        if header and grid.box:
            lines.append(" " + "\u2500" * (table_width - 2) + " ")
    if grid.box:
        lines.append(" " * table_width)
    return "".join(line + "\n" for line in lines)


def plain_text(items, width):
    """The plain text of `items` (Grids and one-line strings) in about `width` cells,
    or None where rich must draw one of them."""
    out = []
    for item in items:
        if isinstance(item, Grid):
            text = _grid_text(item, width)
        else:
            text = "".join(line + "\n" for line in _wrap(item, width)) if _plain(item) else None
        if text is None:
            return None
        out.append(text)
    return "".join(out)
