"""python -m nnlab → nnlab.cli.main."""

from nnlab.cli import main

raise SystemExit(main())
