"""Pages of the consultation work, one module per sub-domain.

Every object is reached through the user's scope (404 outside it); writes need an editing role (403).
"""
