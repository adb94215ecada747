"""The auditor's pages (under /revision/): search the audit trail and access log, review break-glass.

They join audit records to persons, cases and users, so they sit above the domain apps;
``vejud.audit`` (the trail itself: models, services, guard, chain, commands) sits below them all.
"""
