"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in tests/engine/test_contract_fuzz.py.

The contract's `iana-time-zone` format is a name this machine's zone database knows; a
fuzzer cannot guess one from the pattern, so it draws them from the same list the engine
checks against.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

from engine.model.people import time_zones

schemathesis.openapi.format("iana-time-zone", st.sampled_from(sorted(time_zones())))
