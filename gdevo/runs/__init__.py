"""Runs: executors (local pool or Dask), simulation jobs and cells, sweeps and their plots."""
