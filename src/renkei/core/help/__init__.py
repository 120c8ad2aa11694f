"""The user guide, served from the product under /help/ (Japanese and English Markdown in this folder)."""
