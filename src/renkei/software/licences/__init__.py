"""Licence policies per group company and the components of a release that break them."""
