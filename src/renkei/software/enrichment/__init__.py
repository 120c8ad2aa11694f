"""Offline enrichment of the vulnerability database: CISA KEV, FIRST EPSS (and NVD, JVN)."""
