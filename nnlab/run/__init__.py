"""What a run *is*, with neither torch nor Textual: its config and limits, its events and their
files, its control, its errors, the dataset facts and its run directory. Every layer reads these."""
