"""The learner's area: dashboard, courses and lessons."""
