"""Registry's domain: pure decisions over teams, agents, keys and people; no I/O."""
