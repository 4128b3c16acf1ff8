"""The Textual front end. Nothing here imports torch at start-up."""
