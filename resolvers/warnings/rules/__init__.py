"""The warnings' pure rules: the kinds with their parameters and defaults (``kinds``), the 12371
requirements vocabulary (``requirements``), and what a detector returns (``detection``)."""
