"""Tables as data (Grid), drawn by rich, or written here as the same plain text without
importing rich: rich.console and rich.table take some 25 ms to import, a sixth of the
start-up of a small fit whose table goes to a pipe or a file.

Plain text is written only where rich itself writes plain text: the output is not a
terminal (rich's own test, FORCE_COLOR and TTY_COMPATIBLE included: no styles, no
control codes), its encoding is UTF-8 (else rich draws ASCII boxes) and every string is
printable ASCII (one character, one cell). rich's layout is then reproduced character
for character at the width rich would use: each column as wide as its longest cell plus
padding, too wide a table narrowed as rich.table narrows it, words wrapped and long
words folded as rich._wrap does, the SIMPLE_HEAD box, a left-justified title wrapped and
padded to the table's width. Where rich would do anything else (crop, put an ellipsis,
squeeze a column to nothing) plain_text gives None and rich draws. tests/
test_render_plain.py checks the bytes are rich's, on real fits and on random tables."""
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
    return isinstance(text, str) and text.isascii() and text.isprintable()


_WORD = re.compile(r"\s*\S+\s*")  # a word and the spaces after it, as rich._wrap.words
_TRAILING = re.compile(r"\s+$")


def _wrap(text, width, fold=True):
    """rich's word wrap of one line of printable ASCII (rich._wrap.divide_line, then
    Text.rstrip_end): a word longer than the width is folded, or else left whole (rich
    would then crop it or put an ellipsis)."""
    breaks, offset = [], 0
    for word in _WORD.finditer(text):
        start, length = word.start(), len(word.group().rstrip())
        if width - offset >= length:
            offset += len(word.group())
        elif length > width:
            if not fold:
                if start:
                    breaks.append(start)
                offset = len(word.group())
                continue
            pieces = [word.group()[i:i + width] for i in range(0, len(word.group()), width)]
            for i, piece in enumerate(pieces):  # fold the word over lines of `width` characters
                if start:
                    breaks.append(start)
                if i == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word.group())
    lines = [text[a:b] for a, b in zip([0] + breaks, breaks + [len(text)])]
    for i, line in enumerate(lines):
        excess, space = len(line) - width, _TRAILING.search(line)
        if excess > 0 and space:
            lines[i] = line[:len(line) - min(len(space.group()), excess)]
    return [line[:width] for line in lines] if fold else lines


def _cell_lines(text, width, column):
    """The lines of one cell's text in `width` characters, as rich wraps and justifies
    them; None where rich would crop or put an ellipsis."""
    lines = [text] if column["no_wrap"] else _wrap(text, width, column["overflow"] == "fold")
    if any(len(line) > width for line in lines):
        return None  # rich would crop, or end the line with an ellipsis
    justify = column["justify"]
    if justify == "left":
        return [line.ljust(width) for line in lines]
    lines = [line.rstrip() for line in lines]
    if justify == "right":
        return [line.rjust(width) for line in lines]
    return [" " * ((width - len(line)) // 2) + line + " " * (width - len(line) - (width - len(line)) // 2)
            for line in lines]


def _ratio_reduce(total, ratios, maximums, values):
    """rich._ratio.ratio_reduce."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    out = []
    for ratio, most, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            cut = min(most, round(ratio * total / total_ratio))
            out.append(value - cut)
            total -= cut
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _collapse(widths, wrapable, max_width):
    """rich.table.Table._collapse_widths: narrow the widest wrapable columns first."""
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            widest = max(w for w, ok in zip(widths, wrapable) if ok)
            second = max(w if ok and w != widest else 0 for w, ok in zip(widths, wrapable))
            ratios = [1 if (w == widest and ok) else 0 for w, ok in zip(widths, wrapable)]
            if not any(ratios) or not widest - second:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _column_widths(grid, rows, pads, max_width):
    """rich.table.Table._calculate_column_widths (no expand, no fixed widths): each
    column as wide as its longest cell with padding; a table too wide for max_width
    has its wrapable columns narrowed; None for widths rich would treat specially."""
    longest = [max((len(row[i]) for row in rows), default=0) if c.get("width") is None else c["width"]
               for i, c in enumerate(grid.columns)]
    if max_width < 1 or any(max_width - left - right < 1 for left, right in pads):
        return None
    natural = [min(n + left + right, max_width) or 1 for n, (left, right) in zip(longest, pads)]
    widths = natural
    if sum(widths) > max_width:
        widths = _collapse(widths, [not c["no_wrap"] and c.get("width") is None for c in grid.columns], max_width)
        if sum(widths) > max_width:  # rich's last resort: narrow every column evenly
            widths = _ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [min(w, n) for w, n in zip(widths, natural)]
    if any(w - left - right < 1 for w, (left, right) in zip(widths, pads)):
        return None
    return widths


def _grid_text(grid, width):
    """The text rich prints for `grid` at `width`, or None where rich would do more than
    wrap words and fold long ones (an ellipsis, a crop, a column squeezed to nothing)."""
    n = len(grid.columns)
    rows = ([[c["header"] for c in grid.columns]] if grid.show_header else []) + grid.rows
    if n == 0 or not rows or grid.box not in (None, SIMPLE_HEAD) or grid.title_justify != "left" or \
            any(c["justify"] not in ("left", "right", "center") for c in grid.columns) or \
            not all(_plain(cell) for row in rows for cell in row) or \
            (grid.title and not _plain(grid.title)):
        return None
    pads = [(0 if i == 0 else 1, 0 if i == n - 1 else 1) for i in range(n)]  # padding (0, 1), no edge
    edge = 2 + (n - 1) if grid.box else 0
    widths = _column_widths(grid, rows, pads, width - edge)
    if widths is None:
        return None
    table_width = sum(widths) + edge
    lines = [line.ljust(table_width) for line in _wrap(grid.title, table_width)] if grid.title else []
    if grid.box:
        lines.append(" " * table_width)
    gap = " " if grid.box else ""
    for index, row in enumerate(rows):
        cells = []
        for text, w, (left, right), column in zip(row, widths, pads, grid.columns):
            body = _cell_lines(text, w - left - right, column)
            if body is None:
                return None
            cells.append([" " * left + line + " " * right for line in body])
        height = max(len(cell) for cell in cells)
        header = index == 0 and grid.show_header  # rich aligns the header at the bottom, a row at the top
        cells = [([" " * w] * (height - len(cell)) + cell) if header else (cell + [" " * w] * (height - len(cell)))
                 for cell, w in zip(cells, widths)]
        lines += [gap + gap.join(cell[line] for cell in cells) + gap for line in range(height)]
        if header and grid.box:
            lines.append(" " + "\u2500" * (table_width - 2) + " ")
    if grid.box:
        lines.append(" " * table_width)
    return "".join(line + "\n" for line in lines)


def plain_text(items, width):
    """The text rich prints for `items` (Grids and one-line strings) at `width`, or None."""
    out = []
    for item in items:
        if isinstance(item, Grid):
            text = _grid_text(item, width)
        else:
            text = "".join(line + "\n" for line in _wrap(item, width)) if _plain(item) and width else None
        if text is None:
            return None
        out.append(text)
    return "".join(out)
