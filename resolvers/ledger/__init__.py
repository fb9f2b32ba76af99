"""The activists' ledger (入党积极分子、发展对象台账), kept per grassroots committee (以基层党委为
单位建立台账, Shanxi 2023): every activist and development target under a school's committee or
a unit committee, with their training progress and contact persons, read from the recorded
steps at the moment of export (never a hand copy). See docs/data-calls.md, "The activists'
ledger"."""
