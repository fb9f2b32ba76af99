"""Benchmarks (not shipped in the wheel; run from a source checkout).

``partyplan bench generate`` loads a scale data set; ``partyplan bench run`` drives the
scenarios over HTTP against the floor and the peers. See bench/README.md.
"""
