"""Plain functions that the views and the CLI share; they flush, the caller commits."""
