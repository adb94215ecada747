"""Bare Django: the comparison ``bench/run`` measures vejud's floor against.

The same Django, gunicorn settings and database as the measured server, and nothing of
vejud: session and authentication middleware over the same user and session tables, and
one view (``/ping/``) that reads the signed-in user's name with one indexed query and
renders it in a tiny template, as vejud's ``/ping/`` does.
"""
