"""xAPI: statements built from learner records, kept in a log, and sent to an LRS."""
