"""Synthetic learners for trying the report and for benchmarks; never on a request path."""
