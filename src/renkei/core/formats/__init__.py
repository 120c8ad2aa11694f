"""The display formats of dates and times, per language (Django's FORMAT_MODULE_PATH).

One convention for every page, e-mail and document: a day in prose as 2026年12月7日 (English
7 Dec 2026), a day in a dense table as 2026/12/07 (2026-12-07), a moment as 2026/12/07 14:05
(2026-12-07 14:05) in Japan time. `core.display` and the template filters `jdate`,
`jdate_short` and `jdatetime` use these names; nothing else spells a format.
"""
