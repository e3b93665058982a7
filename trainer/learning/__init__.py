"""What learners do: attempts, progress, practice, certificates, the catalogue."""
