"""HR's area: who has done what."""
