"""Who is assessed when: required levels and cadence per party, campaigns and their assignments."""
