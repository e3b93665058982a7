"""Certificates of course completion: printable pages, PDF downloads and public verification."""
