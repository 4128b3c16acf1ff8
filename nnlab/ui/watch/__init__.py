"""The run viewer (`nnlab watch`): the dashboard's Live, Insight and Runs pages on a run directory."""
