"""Cognive's wire contracts: the only models that cross a process boundary.

- ``envelope``: the CloudEvents 1.0 envelope and its single / batch encodings
- ``events``: one payload model per event version, keyed by routing key
- ``http``: public HTTP bodies shared by every service (problem details, pagination)
- ``topology``: the RabbitMQ topology manifest (``topology.yaml``)
- ``schema_export``, ``asyncapi``, ``compat``, ``snapshots``, ``cli``: the generated
  snapshots and the compatibility check run in CI (``cognive-contracts``)

Depends on pydantic and PyYAML only: the SDK installs it.
"""
