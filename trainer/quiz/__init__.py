"""The quiz engine: question types, drawing questions, and practice scheduling."""
