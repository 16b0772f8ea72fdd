"""``python -m modlean`` runs the command line."""

from modlean.cli import main

raise SystemExit(main())
