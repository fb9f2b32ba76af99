"""The OAuth2 doors' domain: clients looked up by ``client_id``, grants with their codes and
rotated refresh tokens, revoked access-token ids, and sign-in sessions.

Everything here runs in a transaction that declared itself a door (``tenants.binding.open_door``):
the door tables are visible only there, and no principal is bound until a user or a service
account has proved itself. The HTTP glue (authlib, the pages) is ``server/oauth``.
"""
