"""Backup and restore of a whole installation (`renkei backup DEST`, `renkei restore SRC`)."""
