"""The value column a command fits, read with its weights or its trials (aligned: a row
missing any of them is left out and reported) into one Record that carries them, and
--strict's refusal of dropped rows."""


def weighted_column(files, column, weights, labels, options, strict):
    """The Record of the value column of one file with its weights (record.weights), read
    aligned (a row missing either is left out and reported)."""
    from ..io.frame import read_frame

    from ..errors import UsageError
    if len(files) != 1:
        raise UsageError("--weights reads one file (or - for standard input)")
    if column is not None and column.strip().casefold() == weights.strip().casefold():
        raise UsageError(f"--column and --weights name the same column '{column}'")
    from ..io.column import BINARY
    frame = read_frame(files, [column, weights], labels=(column,) if labels is True else (),
                       options=options, auto_labels=labels == BINARY, option="--column",
                       missing_reasons={1: "missing weight"})
    check_strict(frame, strict)
    return frame.but(weights=frame.columns[frame.names[1]], weights_name=weights)


def trials_number(text):
    """--trials N: the number, or None when it names a column."""
    try:
        return float(text)
    except ValueError:
        return None


def whole_trials(text):
    """--trials N: a positive whole number, or UsageError."""
    from ..errors import UsageError
    value = trials_number(text)
    from ..families import SHAPES
    if value is None or not SHAPES["trials"][2](value):
        raise UsageError(f"--trials must be a positive whole number or a column (got '{text}')")
    return int(value)


def trials_column(files, column, weights, trials, options, strict):
    """The Record of the values with their trials (--trials COLUMN) and their weights (or
    None) as its fields, read aligned (a row missing any of them is left out and reported)."""
    from ..errors import UsageError
    from ..io.frame import read_frame

    if len(files) != 1:
        raise UsageError("--trials COLUMN reads one file (or - for standard input)")
    names = [column, trials] + ([weights] if weights else [])
    frame = read_frame(files, names, options=options, auto_labels=False, option="--column",
                       missing_reasons={1: "missing trials", 2: "missing weight"})
    check_strict(frame, strict)
    return frame.but(weights=frame.columns[frame.names[2]] if weights else None, weights_name=weights or None,
                     trials=frame.columns[frame.names[1]])


def check_strict(frame, strict):
    if strict:
        from ..io.column import refuse_dropped
        refuse_dropped("the data", frame.dropped)


def numeric_column(files, column, weights, trials, options, strict):
    """The Record for select and lrt, its weights and trials (or None) as its fields:
    --trials N is one number for every row, --trials COLUMN is read aligned with the values
    (and the weights)."""
    from ..io.column import read_column

    if trials is not None and trials_number(trials) is None:
        return trials_column(files, column, weights, trials, options, strict)
    t = None if trials is None else whole_trials(trials)
    if weights is None:
        col = read_column(files, column=column, strict=strict, options=options)
    else:
        col = weighted_column(files, column, weights, False, options, strict)
    return col if t is None else col.but(trials=t)
