"""Products and releases we receive from suppliers, the release page and the portfolio search."""
