"""Pure rules of the recruitment procedure (no I/O), split by topic."""
