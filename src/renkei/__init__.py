"""Renkei (連携): supply-chain security management."""

__version__ = "0.1.0"
