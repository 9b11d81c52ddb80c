"""`cognive-admin`: the on-call tool. A thin dispatcher (`cognive-admin <service> <command>`)
over what is the same for every service (status, events, DLQ, projections), with each
service's own knowledge (its settings, projections, how to fold its streams) in
`cognive_<service>.admin`, loaded by name."""
