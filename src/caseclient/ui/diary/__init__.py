"""Today's appointments, those needing an outcome, and the week's diary (printable, offline)."""
