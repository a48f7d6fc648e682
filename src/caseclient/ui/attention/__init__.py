"""Needs attention: conflicts and refusals, the per-field chooser, and export as the last resort."""
