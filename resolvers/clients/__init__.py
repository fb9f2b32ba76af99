"""The registry of OAuth2 clients: front ends (public, code + PKCE) and services (a secret and
an account of their own), managed by a commission's administrators (``client.manage``)."""
