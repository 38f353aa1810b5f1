"""`mlefit regress`: parsing and output only; the work is in regression.py."""
import json
from typing import NamedTuple

import click

from .censor import censoring_options
from .edge import debug_option, say
from .group import cli
from . import options
from .options import input_options, prior_option

LINKS = ["identity", "log", "logit", "probit", "cloglog", "inverse", "softmax", "log_mean"]


def _names(text):
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


class RegressModel(NamedTuple):
    """The model regress fits: the response and covariates (or a formula, or a nonlinear
    --mean with its --params), the family or loss and link, the per-row columns (weights,
    trials, offset, exposure), the intercept, the label that is 1, and a penalty."""

    response: str | None
    covariates: str
    formula: str | None
    dist: str | None
    loss: str | None
    link: str | None
    weights: str | None
    trials: str | None
    offset: str | None
    exposure: str | None
    no_intercept: bool
    positive: str | None
    penalty: str | None
    mean: str | None
    mean_params: str | None


class Inference(NamedTuple):
    """regress's intervals and errors: the kind, bootstrap resamples, sandwich (--robust,
    --cluster), cross-validation folds, and the seed of the folds or the resamples."""

    interval: str
    bootstrap: int | None
    robust: bool
    cluster: str | None
    folds: int | None
    seed: int | None


@cli.command("regress")
@click.argument("file", metavar="FILE")
@click.option("--response", "-y", metavar="NAME", help="The response column.")
@click.option("--covariates", "-x", metavar="A,B,...", default="",
              help="Numeric covariate columns, comma-separated (an Intercept is added unless --no-intercept).")
@click.option("--formula", "-f", metavar="'Y ~ TERMS'",
              help="Instead of -y/-x: a model formula, e.g. 'low ~ age + C(race) + smoke + age:smoke' "
                   "(C() makes a column categorical, a text column is categorical anyway; '- 1' drops "
                   "the intercept; log, exp, sqrt, center, scale, poly may transform a column).")
@click.option("--dist", "-d", metavar="NAME",
              help="Family of the response given the covariates: normal, bernoulli, binomial, poisson, "
                   "negative_binomial, gamma, student_t, categorical (softmax regression); laplace (median "
                   "regression), asymmetric_laplace:TAU (quantile regression), both linear programs; huber:DELTA; "
                   "weibull, lognormal, log_logistic, exponential (accelerated failure time).")
@click.option("--loss", "-l", metavar="NAME",
              help="Instead of --dist: the loss the fit minimises (mse, bce, poisson, cross_entropy, mae, "
                   "pinball:TAU, huber:DELTA, or their PyTorch/Keras/scikit-learn names); the family whose NLL it "
                   "is gets fitted, and said.")
@click.option("--link", type=click.Choice(LINKS), default=None,
              help="Link from the linear predictor to the mean; default: the family's canonical link "
                   "(logit for bernoulli/binomial, log for counts, identity for normal).")
@click.option("--weights", "-w", metavar="COLUMN", help="Frequency weights (a row of weight k counts k times).")
@click.option("--trials", metavar="N|COLUMN", help="binomial: the number of trials, for every row or per row.")
@click.option("--offset", metavar="COLUMN", help="A column added to the linear predictor with coefficient 1.")
@click.option("--exposure", metavar="COLUMN", help="Counts per unit of exposure: log(COLUMN) as an offset.")
@click.option("--no-intercept", "no_intercept", is_flag=True, help="Fit without the intercept.")
@click.option("--positive", metavar="LABEL", help="bernoulli with a two-label response: the label that counts as 1.")
@click.option("--fix", "fix", metavar="NAME=VALUE", multiple=True,
              help="Hold one of the family's other parameters at a value (student_t's df, negative_binomial's "
                   "size, normal's sigma); repeatable.")
@prior_option("'COEF ~ DIST(ARGS)'", "A prior on the coefficients (repeatable): 'coef ~ normal(0, 2.5)' (every "
                                       "coefficient but the intercept: ridge), or one by name ('age ~ normal(0, 1)', "
                                       "'Intercept ~ normal(0, 10)'), the family's other parameters "
                                       "('sigma ~ half_normal(1)'), or jeffreys (Firth)")
@click.option("--penalty", metavar="l2:LAMBDA",
              help="Ridge as glmnet defines it (mean NLL + LAMBDA/2 |b|^2, intercept unpenalised): the prior "
                   "normal(0, 1/sqrt(n LAMBDA)) on each coefficient, said in the output; scikit-learn's C is "
                   "1/(n LAMBDA).")
@click.option("--information", type=click.Choice(["observed", "expected"]), default="observed", show_default=True,
              help="Fisher information for the standard errors: observed (minus the Hessian) or expected "
                   "(what statsmodels' GLM and R's glm report; the same on a canonical link).")
@click.option("--interval", "interval", type=click.Choice(["wald", "profile", "bootstrap", "all"]), default="wald",
              show_default=True,
              help="Wald intervals; profile likelihood: where the log-likelihood, maximised over every "
                   "other coefficient, falls chi2_1/2 below its maximum (R's confint for glm); bootstrap "
                   "percentile: the rows (with --cluster, the clusters) resampled and refitted (--bootstrap N, "
                   "--seed); or all of them side by side.")
@click.option("--bootstrap", type=click.IntRange(min=0), default=None, metavar="N",
              help="With --interval bootstrap or all: the number of resamples (default 999, at most 100000).")
@click.option("--robust", is_flag=True,
              help="Sandwich (HC0) standard errors and intervals: valid even where the family is wrong.")
@click.option("--cluster", metavar="COLUMN",
              help="Cluster-robust standard errors: rows with the same value of COLUMN may be correlated.")
@click.option("--confidence", default=0.95, show_default=True,
              type=click.FloatRange(0, 1, min_open=True, max_open=True), help="Confidence level of the intervals.")
@click.option("--max-iter", default=100, show_default=True, type=click.IntRange(min=1),
              help="Newton iteration limit.")
@click.option("--mean", "mean", metavar="EXPR",
              help="Nonlinear regression: the family's mean as an expression in covariate columns and the "
                   "parameters of --params, e.g. '1/(1 + exp(-(dose - ld50)/s))' (see docs/own-model.md).")
@click.option("--params", "mean_params", metavar="LIST",
              help="With --mean: each parameter with its domain and start, e.g. 'ld50=2, s>0=1'.")
@click.option("--folds", type=int, default=None, metavar="K",
              help="Also K-fold cross-validation of the same model: held-out bits per sample (each row scored "
                   "by the fit without its fold), its standard error and the in-sample bits beside it; the "
                   "comparison that stays valid for MAP fits (docs/regress.md).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="With --folds: seed of the fold split (compare-losses' split); with --interval bootstrap: "
                   "of the resamples (default 0).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option("--save", "save", metavar="FILE",
              help="Write the fitted model as JSON (with its design) for 'mlefit predict MODEL FILE'.")
@click.option("--chunk-size", "chunk_size", type=click.IntRange(min=0), default=None, metavar="ROWS",
              help="Read the file chunk by chunk, this many rows at a time, and fit by Newton passes over "
                   "them in memory bounded by the chunk (0: read it whole). Default: files over 16 MB are "
                   "read in chunks when the model allows it (docs/large-files.md).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where the fit runs: local (this process), or dask (the files' blocks on a Dask cluster, "
                   "each Newton iteration a map-reduce over them: --scheduler, or a local cluster; "
                   "pip install 'mlefit[dask]').")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the Dask scheduler, tcp://HOST:PORT (default $DASK_SCHEDULER_ADDRESS, "
                   "else a local cluster).")
@censoring_options
@input_options
@debug_option
@options.gather(RegressModel, "model")
@options.estimation
@options.gather(Inference, "inference")
@options.engine
def regress_command(file, model, estimation, inference, engine, as_json, save, debug, reading, censoring):
    """Regression by maximum likelihood: the family's mean moves with the covariates.

    Logistic regression is bernoulli with p = sigmoid(Intercept + x'b) (its NLL is the
    binary cross-entropy, --loss bce); Poisson regression is the Poisson NLL with a
    log link; linear regression is the normal family (MSE). Prints each coefficient
    with its SE, z, p-value and Wald interval (and exp(coef), the odds or rate ratio,
    for logit and log links), the family's other parameters, the log-likelihood
    against the intercept-only model, deviance, AIC/BIC and bits per sample. Rows
    with a missing value in any column used are left out and counted.

    \b
    mlefit regress sample_data/infert.csv -y case -x spontaneous,induced -d bernoulli
    mlefit regress sample_data/infert.csv -f 'case ~ spontaneous + induced + C(education)' -d bernoulli
    mlefit regress deaths.csv -y deaths -x age --dist poisson --exposure years
    mlefit regress rossi.csv -y week --event arrest -x fin,age,prio --dist weibull
    mlefit regress wages.csv -y hours -x age,kids --dist normal --lower-limit 0

    A censored response (the censoring options, as for fit) goes with the accelerated
    failure time families weibull, lognormal, log_logistic and exponential (log of the
    time scale = x'b; exp(coef) is a time ratio), with normal (Tobit), and with poisson
    and negative_binomial (censored counts: '5 or more', '<2').
    """
    from ..errors import UsageError
    from ..report.progress import _progress
    from ..regression.model import regress

    m, inf = model, inference
    if reading.strict:
        raise UsageError("--strict is not supported by regress yet; rows with missing values are dropped and counted")
    if inf.seed is not None and inf.folds is None and inf.interval not in ("bootstrap", "all"):
        raise UsageError("--seed is the seed of the split of --folds or of the resamples of --interval bootstrap: "
                         "give --folds K or --interval bootstrap with it")
    seed = 0 if inf.seed is None else inf.seed
    options = reading.read_options()
    prior = estimation.prior
    if m.mean is not None or m.mean_params is not None:
        from .own import regress_mean
        given = {"-x": m.covariates, "--formula": m.formula, "--loss": m.loss, "--link": m.link, "--offset": m.offset,
                 "--exposure": m.exposure, "--no-intercept": m.no_intercept, "--positive": m.positive,
                 "--cluster": inf.cluster, "--save": save, "--information expected": estimation.information == "expected",
                 "--penalty": m.penalty, "--folds": inf.folds is not None, "--chunk-size": engine.chunk_size is not None,
                 "--engine dask": engine.engine != "local",
                 "censoring options": any(v not in (None, False) for v in censoring.as_dict().values())}
        boot = dict(bootstrap=inf.bootstrap, resample="nonparametric", seed=seed) \
            if inf.interval in ("bootstrap", "all") else {}
        return regress_mean(file, m.response, m.dist, m.mean, m.mean_params, m.weights, m.trials, given, options,
                            as_json, dict(fix=estimation.fixes(), interval=inf.interval, robust=inf.robust,
                                          confidence=estimation.confidence, max_iter=estimation.max_iter, **boot,
                                          **({"prior": list(prior)} if prior else {})))
    from ..report.progress import _nothing
    bootstrap = inf.bootstrap
    samples = ((bootstrap or 999) if bootstrap != 0 else 0) if inf.interval in ("bootstrap", "all") else 0
    with _progress("bootstrap intervals", samples) if samples else _nothing() as bar:
        result = regress(file, m.response, _names(m.covariates), formula=m.formula, dist=m.dist, loss=m.loss,
                         link=m.link, weights=m.weights, trials=m.trials, offset=m.offset, exposure=m.exposure,
                         intercept=not m.no_intercept, positive=m.positive, fix=estimation.fixes(), prior=prior,
                         penalty=m.penalty, information=estimation.information, interval=inf.interval,
                         robust=inf.robust, cluster=inf.cluster, confidence=estimation.confidence,
                         max_iter=estimation.max_iter, options=options, censoring=censoring.as_dict(),
                         folds=inf.folds, seed=seed, bootstrap=bootstrap, on_step=bar and bar.step,
                         chunk_size=engine.chunk_size, progress=_progress, engine=engine.engine,
                         scheduler=_scheduler(engine.engine, engine.scheduler))
    d = result.to_dict()
    if save is not None:
        from ..regression.predict import save as write_model
        write_model(result, save)
        say(f"mlefit: wrote the model to {save}", err=True)
    if as_json:
        click.echo(json.dumps(d, indent=2))
    else:
        from ..report.regress import print_regression
        print_regression(d)


def _scheduler(engine, scheduler):
    """The scheduler's address for --engine dask (--scheduler, else $DASK_SCHEDULER_ADDRESS)."""
    import os
    from ..errors import UsageError

    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler goes with --engine dask")
    return scheduler or (os.environ.get("DASK_SCHEDULER_ADDRESS") if engine == "dask" else None)
