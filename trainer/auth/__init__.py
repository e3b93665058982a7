"""Accounts: sign-in, registration, password changes and role checks."""
