"""Train mode: the dashboard (Setup, Live, Insight, Runs pages) over a widget-free TrainSession."""
