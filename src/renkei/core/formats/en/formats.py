# English: 7 Dec 2026 in prose, 2026-12-07 in tables, 2026-12-07 14:05 for a moment (unambiguous
# for readers on both sides of the Atlantic, and sorted the same as the Japanese tables).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
