"""Excel round trips: check sheets imported as frameworks, answers exported and imported."""
