"""Random spot checks of development targets (随机抽查): a verifiable draw, and each drawn
target's findings with their follow-up (docs/spot-checks.md)."""
