"""Which fits can be read chunk by chunk, and which files are worth it: the facts the
CLI needs to plan a fit, apart from the chunked reader itself (stream.py, with its
decompressors and the temporary files of chunks.py), which a file read whole never
loads."""

AUTO_BYTES = 16 << 20  # files larger than this are read in chunks when the fit allows it
COUNT_SUPPORTS = ("count", "binary")
# inputs that are not lines of text to cut into chunks: Parquet, Feather, zip, zstd
NOT_LINES = (b"PAR1", b"ARROW1", b"FEA1", b"PK\x03\x04", b"\x28\xb5\x2f\xfd")


def streams(fam):
    """Whether the family can be fitted chunk by chunk: the count families from the table
    of distinct values and their counts (binomial and beta_binomial with one number of
    trials, 'binomial:12', not one per row), categorical from the count of each label."""
    spec = fam.spec
    counts = spec.support in COUNT_SUPPORTS and (spec.shape != "trials" or ":" in spec.name)
    return fam.merge is not None or fam.chunked_stats is not None or counts or spec.support == "labels"


def why_not(fam):
    """Why this family cannot be fitted in chunks (for the error message)."""
    return (f"the {fam.name} family is not fitted in chunks yet: its estimator needs every value "
            f"at once (only the families with sufficient statistics, with passes of summed "
            f"score and Hessian, or with an exact quantile, stream)")
