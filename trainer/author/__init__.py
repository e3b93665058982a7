"""The trainer's area: content overview (editors come with the authoring work)."""
