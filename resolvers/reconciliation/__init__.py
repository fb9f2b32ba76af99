"""Reconciling a school's records with a 12371 export: the report (``import12371``) and the
decisions applied to it (``applyReconciliation``)."""
