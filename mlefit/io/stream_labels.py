"""Labels read chunk by chunk (the categorical family, and --loss cross_entropy): each run
of lines is parsed with the column as text, its labels counted by pyarrow (value_counts),
and the missing ones (a marker, or blank) dropped and reported as an in-memory read of
labels drops them; the counts are merged by label, so memory holds one run and the
table of distinct labels, never a Python string per row. The family's statistics are
then made from that table: the same labels, in the same order, with the same counts as
in memory."""
import numpy as np

from .column import FIRST, MISSING, is_string, missing_mask, normalise, to_numpy
from ..errors import DataError, plain
from ..report.result import Drop
from .stream import Read, Runs, check_chunk_values, chosen_column, read_lines

WAY_OUT = "drop --chunk-size (or give --chunk-size 0)"


def read_labels(fh, notes, fam, column, options, chunk_rows, strict, on_bytes):
    """stream.read_stats for a family of labels: the Read of one column of the input fh
    (an intake.Input), its statistics made from the count of each label. bernoulli's
    labels (two, yes/no) are trimmed and made its 0/1 outcomes as in memory
    (binary.as_outcomes, its note said)."""
    from .column import refuse_dropped

    binary = fam.spec.support == "binary"
    runs = Runs(fh, fh.name, options, chunk_rows)
    name = chosen_column(runs.head, runs.first, column, options, fh.name)
    counts = {}
    for block, line in runs:
        table, lines, blanks, where = read_lines(block, line, runs.head, [name], options, fh.name, WAY_OUT,
                                                 labels=[name])
        labels, tally, dropped = count_labels(table.column(0), options, where, trim=binary)
        runs.count(lines, table.num_rows, blanks, dropped)
        for label, count in zip(labels.tolist(), tally.tolist()):
            counts[label] = counts.get(label, 0.0) + count
        if on_bytes is not None:
            on_bytes(runs.done)
    report = runs.report(name, notes)
    if strict:
        refuse_dropped(report.label, report.dropped)
    check_chunk_values(fam, report, int(sum(counts.values())), next(iter(counts), None), len(counts) > 1)
    labels = np.empty(len(counts), dtype=object)
    labels[:] = list(counts)
    if binary:
        labels, report = _outcomes(labels, report, options)
    stats = fam.stats(labels, np.array(list(counts.values()), dtype=np.float64))
    return Read(report, stats, np.nan, np.nan)


def _outcomes(labels, report, options):
    """bernoulli's 0/1 outcome of each distinct label, and the report with the note
    saying which label is 1: what an in-memory read makes of a column of text (sent here
    by stream.TextLabels); a column whose text is all numbers is read as numbers."""
    from dataclasses import replace

    from ..binary import as_outcomes
    from .readers import is_number

    if all(is_number(v, options.decimal) for v in labels.tolist()):  # numbers after all (' 1', '+0'): as in memory
        x = np.array([float(v.replace(options.decimal, ".")) for v in labels.tolist()])
        if not np.all((x == 0.0) | (x == 1.0)):  # their lines are known only to an in-memory read
            shown = ", ".join(f"'{plain(v, 20)}'" for v in labels[(x != 0.0) & (x != 1.0)][:3].tolist())
            raise DataError(f"{report.label} has values outside the support of bernoulli (0 or 1): {shown}; "
                            f"{WAY_OUT} to see their lines")
        return x, report
    outcomes, note = as_outcomes(labels, report.label)
    return outcomes, replace(report, notes=report.notes + (note,))


def count_labels(cells, options, where, trim=False):
    """(the distinct labels of an arrow column read as labels, as an object array; their
    counts, float64; [the Drop of its missing cells] or []), where(p) naming the place of
    cell p. The cells are counted first (pyarrow value_counts) and only the distinct
    values are tested for a missing-value marker, as data._missing tests each cell in
    memory; the cells are searched for the places of the missing ones only where there
    are some. Cells that are not text (a Parquet column of numbers) are labelled by their
    text, as an in-memory read labels them. trim: labels without their leading and
    trailing spaces (bernoulli's, as data._convert trims them; two may then be equal)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(cells):
        return np.empty(0, dtype=object), np.empty(0), []
    if pa.types.is_dictionary(cells.type) and pa.types.is_string(cells.type.value_type):
        values, tally = _coded_counts(cells)
    else:
        cells = normalise(cells)
        found = pc.value_counts(cells)
        values, tally = found.field("values"), np.from_dlpack(found.field("counts")).astype(np.float64)
    missing = missing_mask(values, options)
    gone = np.from_dlpack(pc.cast(missing, pa.int8())).astype(bool)
    dropped = []
    if gone.any():
        if pa.types.is_dictionary(cells.type):
            cells = normalise(cells)
        if is_string(cells.type):  # the same cells as missing_mask finds, by their values
            mask = pc.is_in(cells, value_set=values.filter(missing))
        else:
            mask = missing_mask(cells, options)
        first = np.flatnonzero(to_numpy(pc.cast(mask, pa.int8())))[:FIRST]
        dropped.append(Drop(MISSING, int(tally[gone].sum()), tuple(where(p) for p in first)))
    kept = pc.cast(values.filter(pc.invert(missing)), pa.string())
    labels = np.empty(len(kept), dtype=object)
    labels[:] = (pc.utf8_trim_whitespace(kept) if trim else kept).to_pylist()  # (distinct values only)
    return labels, tally[~gone], dropped


def _coded_counts(cells):
    """value_counts of a column of dictionary-encoded text (each chunk with its own
    dictionary, as pyarrow's CSV parser makes them): (the distinct values, in the order
    they first appear, a null last where there are nulls, a value no row has left out;
    their counts, float64). Each chunk's codes are counted by bincount and its dictionary
    mapped onto the distinct values of all the dictionaries (few: the labels), so no
    cell's text is hashed again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = [ch for ch in cells.chunks if len(ch)]
    distinct = pc.unique(pa.concat_arrays([ch.dictionary for ch in chunks]))
    tally = np.zeros(len(distinct) + 1, dtype=np.int64)  # the last: nulls
    for ch in chunks:
        into = np.from_dlpack(pc.index_in(ch.dictionary, value_set=distinct)).astype(np.intp)
        codes = ch.indices
        if ch.null_count:
            codes = pc.fill_null(codes, len(into))
            into = np.append(into, len(distinct))
        counted = np.bincount(np.from_dlpack(codes), minlength=len(into))
        np.add.at(tally, into, counted)
    used = np.flatnonzero(tally[:-1])  # a dictionary may hold values no row has (a Parquet category)
    if used.size < len(distinct):
        distinct = distinct.take(used)
    counts = tally[used]
    if tally[-1]:
        return pa.concat_arrays([distinct, pa.nulls(1, distinct.type)]), np.append(counts, tally[-1]).astype(np.float64)
    return distinct, counts.astype(np.float64)
