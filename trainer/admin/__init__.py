"""The admin's area: users and their roles."""
