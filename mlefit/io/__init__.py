"""Input: files and standard input read in memory, chunk by chunk or on Dask."""
