"""SBOMs of delivered releases: the pure parser (CycloneDX, SPDX), the offline scan, and uploads."""
