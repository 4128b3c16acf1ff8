"""One module per `nnlab` subcommand: add_arguments(parser) and run(args) -> int | None."""
