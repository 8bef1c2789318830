"""Stage 3, collect: walk 收回, make every file harmless, read it, judge it, keep it, record it in the ledger.

inbox (walking and zips) → preflight → reader → formread → verdict → ledger/archive → returns, status.
"""
