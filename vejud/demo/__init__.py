"""Demo and benchmark data: the showcase cases through the real services (``showcase``) and
the bulk simulation for large datasets (``bulk``), behind ``vejud seed-demo``.

It sits above every domain app (it drives their services) and nothing imports it but its
command and tests.
"""
