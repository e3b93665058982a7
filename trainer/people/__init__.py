"""People and their records: accounts, assignments, imports, invitations, tokens, privacy, audit."""
