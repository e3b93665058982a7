"""Personal data: a learner downloads theirs; an admin erases a learner."""
