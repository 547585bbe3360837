"""Banner ads on the chat sidebar."""
