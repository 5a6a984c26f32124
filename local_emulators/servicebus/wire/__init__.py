"""The AMQP wire layer: server, connections, sessions, links, SASL, CBS and the management node."""
