"""The shipped reference data (districts, municipalities, units, gang groups) and ``vejud load-reference``.

It fills tables of ``vejud.organisations`` and ``vejud.people``, so it sits above both.
"""
