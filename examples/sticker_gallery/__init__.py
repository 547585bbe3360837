"""A newer caller of capability-server that was never told how to handle its failures."""
