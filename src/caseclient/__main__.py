"""``python -m caseclient`` runs the command line."""

from caseclient.cli import main

raise SystemExit(main())
