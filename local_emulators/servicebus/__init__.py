"""A pure-Python Service Bus emulator that the unmodified Azure SDKs connect to over AMQP 1.0."""
