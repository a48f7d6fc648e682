"""Signing in to the central system: the dialog, also offered after first-run setup."""
