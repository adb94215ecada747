"""The access module: the only code that knows roles, scopes and bases.

``rules`` turns memberships into a scope and capabilities; ``cases`` is the
need-to-know gate for cases (lists, opening one, what may be done on it);
``gate`` the view decorators and the role-then-case check the API shares.
"""
