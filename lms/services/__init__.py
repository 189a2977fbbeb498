"""Operations that change data: take a session and plain values, flush, never commit.

The view or command that calls them commits once, so a failure leaves nothing
half-written.
"""
