"""Date and time formats per language (``FORMAT_MODULE_PATH``), over Django's own.

Danish as written in Danish public administration (04.12.2026, 14.05); English in the
British day-month order with 24-hour times (4 Dec 2026, 14:05), never the US month-first
order. Pages use the format names (``SHORT_DATE_FORMAT``, ``SHORT_DATETIME_FORMAT``,
``TIME_FORMAT``), so one language shows one style.
"""
