"""Use cases: each loads what it needs, checks the actor's permission, calls the domain,
writes the audit event in the same transaction and returns domain objects.

Routes, pages and CLI commands call exactly one service each and never query the store.
"""
