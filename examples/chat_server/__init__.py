"""The chat server: the first caller of capability-server, and the one that gets it right."""
