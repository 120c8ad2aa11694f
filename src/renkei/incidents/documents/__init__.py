"""Report drafts: the PPC breach report and the notice to individuals, built from an incident."""
