"""English dates in ISO order: ``2026-12-01``, not the US ``12/01/2026`` (issue 18).

The brands are Turkish and Taiwanese; month-first dates read wrong to every one of their users.
Only the date forms change: the long date-time (``Dec. 1, 2026, 7:10 p.m.``) was never ambiguous.
Turkish (``01 Ara 2026``) and Traditional Chinese (``2026年12月1日``) keep Django's formats.
"""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
