"""Screens that open or protect the profile: first-run setup, unlock, recovery, auto-lock."""
