"""HTTP conventions every service's API shares (ARCHITECTURE §6): opaque cursors and
`Idempotency-Key` replay."""
