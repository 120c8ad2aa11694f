"""Benchmark of SBOM parsing and offline OSV matching against cyclonedx-python-lib + univers."""
