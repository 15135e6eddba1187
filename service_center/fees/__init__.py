"""Court fee calculator (诉讼费用交纳办法)."""
