"""RabbitMQ plumbing: connection, topology declaration from the contracts manifest."""

from cognive_runtime.amqp.connection import connect_amqp
from cognive_runtime.amqp.topology import declare_topology, queue_depths, queues_of

__all__ = ["connect_amqp", "declare_topology", "queue_depths", "queues_of"]
