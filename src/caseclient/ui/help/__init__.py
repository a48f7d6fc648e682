"""Help: the keyboard shortcuts dialog, built from the window's own menus."""
