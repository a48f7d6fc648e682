"""The sync status bar: what has reached the central system and what has not."""
