"""The doors' HTTP side: the OAuth2 authorization server (authlib, glued to Starlette) and the
sign-in pages. ``routes.routes`` is what ``server/app.py`` mounts; the domain is
``resolvers/oauth``."""
