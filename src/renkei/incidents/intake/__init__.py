"""The public intake: tips and partner reports from outside, and the CSIRT's triage of them."""
