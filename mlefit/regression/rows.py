"""The rows of a regression, read and checked: the response for its family, weights,
trials, offsets, and the design matrix (columns or a formula), with every row left out
counted and every refusal naming the column and line at fault."""
from dataclasses import dataclass, replace

import numpy as np

from ..errors import DataError, UsageError
from ..families.catalog import BY_NAME, edges, support
from .formula import REST, expand_rest
from ..data import Record

SHOWN = 5  # how many offending rows a message names


@dataclass(frozen=True)
class Rows:
    """A regression's data, aligned and checked: `rows`, the per-row record (the
    response, codes for categorical; weights; binomial's trials; the offset, with log
    exposure; the design X as its covariates; the clusters), a density's fixed shape
    (asymmetric_laplace's tau, huber's delta) as `shape`, the design's column names and
    layout (for predict), the labels of a categorical response, and the table read (its
    report of rows left out)."""

    table: object
    rows: Record
    names: tuple
    layout: dict
    labels: list | None
    notes: tuple
    shape: tuple = ()

    y = property(lambda self: self.rows.values)
    w = property(lambda self: self.rows.weights)
    offset = property(lambda self: self.rows.offset)
    clusters = property(lambda self: self.rows.clusters)
    X = property(lambda self: self.rows.covariates)

    @property
    def censored(self):
        """The rows as censored rows (a censored response's bounds are in the record), or None."""
        return self.rows if self.rows.censored else None

    @property
    def shapes(self):
        """The trailing arguments of the density: binomial's trials, or the fixed shape."""
        return (self.rows.trials,) if self.rows.trials is not None else self.shape

    def take(self, index):
        """The rows `index` (Record.take), censoring bounds in them; without clusters
        (a fold is fitted for its estimate alone)."""
        return self._moved(self.rows.take(index))

    def drawn(self, weights):
        """A resample (Record.drawn: the rows of positive weight, weighing that), censoring
        bounds in it; without clusters."""
        return self._moved(self.rows.drawn(weights))

    def _moved(self, rows):
        return replace(self, rows=rows.but(clusters=None))


def prepare(data, name, response, covariates, rhs, intercept, *, weights=None, trials=None, offset=None,
            exposure=None, cluster=None, positive=None, options=None, censoring=None, wide=False):
    """The Rows of `data` for the family `name` (see mlefit.regression.model.regress); censoring:
    the censoring options (mlefit.censored.request.NAMES) of a censored response, or None.
    wide: leave the design's size and rank to check_size (a proper prior on every slope
    determines coefficients the rows alone do not)."""
    trials_column = trials if isinstance(trials, str) and _not_number(trials) else None
    roles = {"--weights": weights, "--trials": trials_column, "--offset": offset, "--exposure": exposure,
             "--cluster": cluster}
    optional = text = ()
    if censoring is not None:
        from ..censored import regress as censored_regress
        response, more, optional, text = censored_regress.columns(response, censoring)
        roles.update(more)
    check_roles(response, covariates, rhs, roles)
    # one column may serve two roles (a covariate that is also the cluster): read once
    wanted = list(dict.fromkeys([response] + covariates + [c for c in roles.values() if c is not None]))
    numeric = {c: "a covariate" for c in ([] if rhs is not None else covariates)}
    numeric.update({c: f"the {option} column" for option, c in roles.items()
                    if c is not None and option not in ("--cluster", "--event", "--event-left")})
    table = read(data, wanted, labels=support(name) in ("binary", "labels"), options=options, numeric=numeric,
                 optional=optional, text=text)
    if REST in wanted:  # a formula's '.': the columns read beyond those named
        wanted = [c for c in wanted if c != REST]
        others = list(table.names[len(wanted):])
        rhs = expand_rest(rhs, others)
        covariates = [c for c in covariates if c != REST] + others
        wanted += others
    cols = dict(zip(wanted, table.names))
    cens = names_of_labels = note = None
    if censoring is not None:
        cens, table = censored_regress.read(table, cols, response, censoring, options.decimal if options else ".")
    y = table.columns[table.names[0]]
    if support(name) == "labels":
        y, names_of_labels, note = labels(y, table)
    elif cens is not None:
        y = np.asarray(y, dtype=np.float64)
        if _far_refused(name):  # (the AFT families divide far times instead: aft_scale)
            bounds = np.where(np.isfinite(cens.lower), cens.lower, cens.upper)  # each row's finite bound (exact: its value)
            _refuse_far(table, bounds, f"response '{table.names[0]}'", name)
    else:
        y, note = response_values(name, y, table, positive)
    off = exposure_offset(table, table.columns[cols[offset]] if offset is not None else None,
                          table.columns[cols[exposure]] if exposure is not None else None, exposure)
    X, names, layout = design(table, [cols[c] for c in covariates], intercept, rhs, wide)
    w = weight_values(table, cols[weights]) if weights else None
    shapes = (trial_counts(table, trials, cols.get(trials_column), y),) if name == "binomial" else ()
    per_row = table.but(values=y, columns=None, weights=w, trials=shapes[0] if shapes else None, offset=off,
                        covariates=X, clusters=table.columns[cols[cluster]] if cluster is not None else None)
    if cens is not None:  # the response's bounds, named as the censoring names them ('lo..hi')
        from ..censored.rows import bounds_of
        per_row = per_row.but(name=cens.name, **bounds_of(cens))
    if not wide:  # with priors, regression.regress asks once it knows which coefficients they cover
        _constant(name, per_row, table.names[0])
    return Rows(table, per_row, names, layout, names_of_labels, tuple(table.notes) + ((note,) if note else ()))


def check_constant(name, d):
    """The check prepare(wide=True) left out: a response at the edge of its family."""
    _constant(name, d.rows, d.table.names[0])

def check_roles(response, covariates, rhs, roles):
    """Refuse a column named twice where that cannot be: the response in another role
    ({option: column}) or among the covariates, a covariate twice, one named 'Intercept'."""
    for option, column in roles.items():
        if column is not None and column == response:
            raise UsageError(f"{option} names the response column '{response}'; give another column")
    twice = sorted({c for c in covariates if covariates.count(c) > 1})
    if twice:
        raise UsageError(f"covariate {', '.join(twice)} is named twice among the covariates; name each once")
    if response in covariates:
        raise UsageError(f"the response '{response}' is also among the covariates; a column cannot explain itself")
    if rhs is None and "Intercept" in covariates:
        raise UsageError("a covariate column named 'Intercept' would take the intercept's name; rename the column "
                         "(or use --no-intercept and keep it as the intercept)")


def _constant(name, rows, label):
    """Refuse a response at the edge of its family (the values of the record `rows`, with
    their trials and weights; label: the response's column): no maximum likelihood
    estimate exists (the intercept runs to infinity) when every count is 0, or every trial
    failed, or every trial succeeded (rows of weight 0 aside)."""
    if not edges(name):
        return
    y, w, trials = rows.values, rows.weights, 1.0 if rows.trials is None else rows.trials
    used = y if w is None else y[w > 0]
    top = trials if np.ndim(trials) == 0 or w is None else trials[w > 0]
    edge(name, label, bool(np.any(used != 0)), bool(np.any(used != top)))


def edge(name, label, some_nonzero, some_below_top):
    """The refusal of _constant, from whether some (weighted) response is above 0 and
    some below its trials (what a read in chunks tallies)."""
    kind = edges(name)
    if not kind:
        return
    if not some_nonzero:
        what = "every count is 0" if kind == "zero" else "every response is 0"
    elif kind == "both" and not some_below_top:
        what = "every trial succeeded" if BY_NAME[name].shape == "trials" else "every response is 1"
    else:
        return
    raise DataError(f"{what} in '{label}': the mean's maximum likelihood estimate is on the edge "
                    f"(the intercept runs to infinity), so no coefficient has a finite estimate (a proper "
                    f"prior on every coefficient, the intercept's too, or --prior jeffreys gives a finite MAP)")


def _not_number(text):
    try:
        float(text)
    except ValueError:
        return True
    return False


def read(data, names, labels, options, numeric, optional=(), text=()):
    """The columns, aligned; a text column that must hold numbers ({name: its role}) is
    refused (a covariate given by -x pointing to --formula); other text columns are kept
    (a formula's categories, clusters)."""
    from ..io.frame import frame_of
    on_text = text_refusal(numeric)
    return frame_of(data, names, text_first=labels, options=options, on_text=on_text, optional=optional,
                    labels=text)


def text_refusal(numeric):
    """on_text (frame.read_frame) for the columns that must hold numbers ({name: its role}):
    a text covariate given by -x is refused pointing to --formula, another role's column
    by its role; other text columns are kept (a formula's categories, clusters)."""
    from ..errors import plain
    from ..io.frame import refuse_text

    def on_text(name, cell):
        if numeric.get(name) == "a covariate":
            refuse_text(name, cell)
        elif name in numeric:
            raise DataError(f"{numeric[name]} '{plain(name)}' is text (e.g. '{plain(cell)}'); it must hold numbers")
    return on_text


def response_values(name, y, table, positive):
    """The response as floats, checked for the family; a two-label bernoulli response
    mapped to 0/1 with a note saying which label is 1."""
    label = f"response '{table.names[0]}'"
    if y.dtype.kind in "OUS":
        if support(name) != "binary":
            raise DataError(f"the {label} is text; the {name} family needs numbers")
        from ..binary import as_outcomes
        return as_outcomes(np.asarray(y, dtype=object), f"the {label}", positive)
    y = np.asarray(y, dtype=np.float64)
    if support(name) == "binary":
        _refuse(table, y, (y != 0) & (y != 1), label, "bernoulli needs 0 or 1 (or two labels)")
    elif name in ("poisson", "negative_binomial", "binomial"):
        _refuse(table, y, (y < 0) | (y != np.floor(y)), label, f"{name} needs counts: whole numbers >= 0")
    elif name == "gamma":
        _refuse(table, y, ~(y > 0), label, "gamma needs values > 0")
    if _far_refused(name):
        _refuse_far(table, y, label, name)
    if positive is not None:
        raise UsageError("--positive is for a bernoulli response of two labels")
    return y, None


def labels(y, table):
    """(codes 0..K-1 of the response's labels in sorted order, the labels, a note): the
    first label is the reference of the softmax."""
    values = y.tolist()
    labels = sorted(set(values), key=lambda v: (isinstance(v, str), v))
    if len(labels) < 2:
        raise DataError(f"the response '{table.names[0]}' has one label ({labels[0] if labels else 'none'}); "
                        f"categorical regression needs two or more")
    index = {v: i for i, v in enumerate(labels)}
    codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    shown = [str(v) if not isinstance(v, float) or v != int(v) else str(int(v)) for v in labels]
    return codes, shown, (f"the response '{table.names[0]}' has {len(labels)} labels; each coefficient "
                          f"'label:term' compares that label with the reference '{shown[0]}'")


def _refuse(table, y, bad, label, need):
    if np.any(bad):
        where = np.flatnonzero(bad)
        shown = ", ".join(f"{table.where(int(i))}: {y[i]:.10g}" for i in where[:SHOWN])
        raise DataError(f"the {label} has {where.size} value{'s' if where.size > 1 else ''} "
                        f"outside the support ({shown}); {need}")


def _far_refused(name):
    """Whether a response beyond 1e+-100 is refused: a continuous family not of log y
    (lognormal is: catalog.Regression.on_log), and for a censored response not an AFT one
    (regression.aft_scale divides its times)."""
    spec = BY_NAME[name]
    return not spec.discrete and not spec.regression.on_log and not spec.regression.aft


def _refuse_far(table, y, label, name):
    """A response whose scale is beyond 1e+-100: the regression's sums (squares, y / mu and
    their derivatives) leave float64's range there; the way out is rescaling it."""
    size = np.where(np.isfinite(y), np.abs(y), 0.0)
    at = int(np.argmax(size)) if size.size else 0
    top = float(size[at]) if size.size else 0.0
    if top > 1e100 or 0 < top < 1e-100:
        way = "divide it by" if top > 1 else "multiply it by"
        raise DataError(f"the largest absolute value of the {label} is {top:.3g} ({table.where(at)}): beyond 1e+-100 "
                        f"the {name} regression's sums leave the range of floating point; rescale it ({way} a "
                        f"power of ten)")


def exposure_offset(table, off, e, exposure):
    """The offset with log(exposure) added (None where neither is given); the exposure
    must be positive (table.where names a row)."""
    if e is None:
        return off
    if np.any(~(e > 0)):
        raise DataError(f"the --exposure column '{exposure}' must be positive "
                        f"({table.where(int(np.argmax(~(e > 0))))}: {e[int(np.argmax(~(e > 0)))]:.6g})")
    return np.log(e) if off is None else off + np.log(e)


def weight_values(table, column, values=None):
    w = np.asarray(table.columns[column] if values is None else values, dtype=np.float64)
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"weight column '{column}' has {int(bad.sum())} negative or infinite values "
                        f"({table.where(i)}: {w[i]:.6g}); frequency weights must be finite and >= 0")
    if not np.sum(w) > 0:
        raise DataError(f"the weights in '{column}' are all 0: no row counts; check the column")
    return w


def trial_counts(table, trials, column, y):
    if trials is None:
        raise UsageError("the binomial family needs its trials: --trials N or --trials COLUMN")
    t = table.columns[column].astype(np.float64) if column else np.full(y.size, float(trials))
    bad = ~((t >= 1) & (t == np.floor(t)) & (t < 2.0 ** 53))
    if bad.any():
        i = int(np.argmax(bad))
        raise DataError(f"trials must be whole numbers >= 1 ({table.where(i)}: {t[i]:.10g})")
    over = y > t
    if over.any():
        i = int(np.argmax(over))
        raise DataError(f"{int(over.sum())} responses exceed their trials ({table.where(i)}: {y[i]:.10g} of {t[i]:.10g})")
    return t


def design(table, columns, intercept, rhs=None, wide=False):
    """X (float64, n x p) and its column names, from the columns or the formula's terms
    `rhs`; text covariates (outside a formula) and collinear columns refused (wide: those
    left to check_size)."""
    if rhs is not None:
        from .formula import design
        from .indexed_design import build
        built = build(rhs, {c: table.columns[c] for c in columns}, intercept, table.n)
        if built is not None:  # a many-level factor held as level indices
            from .indexed_checks import check_design
            _check_design(table, built[0], built[0].names, wide=True)  # (its shape only)
            check_design(table, built[0], _check_rank, aliased)
            return built[0], built[0].names, built[1]
        X, names, state = design(rhs, {c: table.columns[c] for c in columns}, intercept, rows=table.n)
        _check_design(table, X, names, wide)
        return X, names, dict(state, kind="formula", variables=list(columns))
    parts, names = [], []
    if intercept:
        parts.append(np.ones(table.n))
        names.append("Intercept")
    for c in columns:
        v = table.columns[c]
        if v.dtype.kind in "OUS":
            from ..io.frame import refuse_text
            refuse_text(c, v[0] if v.size else "")
        parts.append(np.asarray(v, dtype=np.float64))
        names.append(c)
    X = np.empty((table.n, len(parts)), order="F")  # filled by columns: contiguous writes
    for j, part in enumerate(parts):
        X[:, j] = part
    _check_design(table, X, names, wide)
    return X, tuple(names), {"kind": "columns", "covariates": list(columns), "intercept": bool(intercept)}


def check_size(d):
    """The checks prepare(wide=True) left out: more rows than coefficients, full rank."""
    if d.table.n <= d.X.shape[1]:
        raise DataError(f"{d.table.n} rows for {d.X.shape[1]} coefficients: the model needs more rows than "
                        f"coefficients (or a proper prior on every slope: --prior 'coef ~ ...' or --penalty)")
    if not hasattr(d.X, "codes"):  # level indices: their rank was checked as the design was made
        _check_rank(d.X, d.names)


def _check_design(table, X, names, wide=False):
    if X.shape[1] == 0:
        raise UsageError("the model has no terms: give covariates or keep the intercept")
    if table.n == 0:
        why = ", ".join(f"{d.count} {d.reason}" for d in table.dropped) or "the input has no data rows"
        raise DataError(f"no rows left to fit ({table.rows_read} read, all left out: {why}); check the columns")
    if wide:
        return
    if table.n <= X.shape[1]:
        raise DataError(f"{table.n} rows for {X.shape[1]} coefficients: the model needs more rows than coefficients")
    _check_rank(X, names)


def check_rank(names, gram, sample):
    """_check_rank for rows read in chunks: on the rows of the subsample `sample` (an X),
    and where those look rank deficient, on gram() (X'X of every row, a pass)."""
    try:
        _check_rank(sample, names)
    except DataError:
        _check_rank(None, names, gram())


def full_rank(X):
    """Whether the columns of X are independent, by _check_rank's test (no message)."""
    try:
        _check_rank(X, [str(j) for j in range(X.shape[1])])
    except DataError:
        return False
    return True


def _check_rank(X, names, gram=None):
    """Name a column that is a linear combination of the others (aliased), from the
    eigenvalues of X'X (gram, or from X) with its columns scaled to unit length: the
    smallest below 1e-13 of the largest (about R's QR tolerance of 1e-7 on X itself) means
    a combination that vanishes; the column named is the last one it involves."""
    if gram is None and _independent_by_rows(X):
        return
    gram = X.T @ X if gram is None else gram
    squares = np.diag(gram)
    if X is not None and not np.all((squares > 1e-200) & (squares < 1e200)):
        # columns whose squares leave float64's range (values below about 1e-100, where they
        # turn subnormal or 0, or above 1e100): X'X of the columns scaled by their largest
        # value instead (a column of 1e-170s is not zero in every row)
        top = np.max(np.abs(X), axis=0)
        far = [f"{names[j]} (largest absolute value {top[j]:.3g})"
               for j in np.flatnonzero((top > 0) & ((top < 1e-100) | (top > 1e100)))]
        if far:
            many = len(far) > 1
            raise DataError(f"covariate{'s' if many else ''} {', '.join(far)} beyond 1e+-100: "
                            f"{'their coefficients' if many else 'its coefficient'} would leave the range of "
                            f"floating point; rescale {'them' if many else 'it'} (multiply by a power of ten)")
        gram = _gram_of(X / np.where(top > 0, top, 1.0))
    scale = np.sqrt(np.diag(gram))
    zero = [names[j] for j in np.flatnonzero(scale == 0)]
    if zero:
        raise DataError(f"covariate{'s' if len(zero) > 1 else ''} {', '.join(zero)} "
                        f"{'are' if len(zero) > 1 else 'is'} zero in every row; drop it")
    aliased(gram / np.outer(scale, scale), names)


def _independent_by_rows(X, rows=65536, runs=16):
    """True where some rows of a design of many rows (`runs` runs of contiguous rows spread
    evenly, about `rows` in all: cheap to read in either memory order) prove that
    _check_rank would pass X, without X'X over every row (as dear as a Newton iteration's
    X'WX): X'X >= S'S for those rows S, so with D, D_s the columns' norms in X and S, the
    scaled X'X has its smallest eigenvalue at least that of the scaled S'S times
    min (D_s / D)^2, its largest at most its trace p, and rounding moves each by at most
    p n eps (unit diagonal, Cauchy-Schwarz). False: undecided (_check_rank then forms X'X)."""
    n, p = X.shape
    if n < 8 * rows or p < 2:
        return False
    run = rows // runs
    sub = sum(_gram_of(X[i:i + run]) for i in np.linspace(0, n - run, runs).astype(np.intp))
    d_s = np.sqrt(np.diag(sub))
    d = np.sqrt(np.array([float(np.dot(c, c)) for c in X.T]))
    if not (np.all(d_s > 1e-100) and np.all(d < 1e100) and np.all(np.isfinite(sub))):
        return False  # squares near or beyond float64's range: _check_rank scales the columns
    low = np.linalg.eigvalsh(sub / np.outer(d_s, d_s))[0] * float(np.min(d_s / d)) ** 2
    eps = np.finfo(float).eps
    return bool(low > 4.0 * p * (n + rows) * eps + 1e-12 * p)


def _gram_of(block):
    return block.T @ block


def aliased(scaled, names, beside=None):
    """Refuse a scaled gram matrix with a combination of columns that vanishes (see
    _check_rank); beside: what else the combination may involve ('the levels of C(g)')."""
    vals, vecs = np.linalg.eigh(scaled)
    if vals[0] > 1e-13 * vals[-1]:
        return
    v = np.abs(vecs[:, 0])
    involved = np.flatnonzero(v > 1e-6 * v.max())
    j = involved[-1]
    others = [names[k] for k in involved if k != j] + ([beside] if beside else [])
    raise DataError(f"the design is rank deficient: {names[j]} is a linear combination of "
                    f"{', '.join(others) or 'the others'} (aliased); drop one of them")
