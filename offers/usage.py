"""The usage flags an offer grants and a track offer may override."""

USAGE_FLAGS = ("download", "on_demand_stream", "non_interactive_stream", "copy_scan")
