"""Statements built once per *shape*, their values passed as parameters.

Building a SQLAlchemy statement costs Python on every request: each value is coerced into a
bound parameter, and the statement's cache key is made by walking its whole tree. A statement
built once and kept costs neither again: its cache key is memoized on it, and its compiled form
is found in the engine's cache. What decides a statement's text — which filters apply, which
cursors are given, which columns are read — is its shape; each value is a parameter.

Parameters are named ``p_…``, never like a column: an INSERT or UPDATE takes a parameter
named like one of its target's columns as the value to set.

>>> param("stage", sa.Text).key
'p_stage'
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def param(name: str, type_: Any) -> sa.BindParameter[Any]:
    """The parameter ``p_<name>`` of a statement built once per shape."""
    return sa.bindparam(f"p_{name}", type_=type_)
