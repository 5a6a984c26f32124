class ServiceBusEmulatorError(Exception):
    """Root of every error the Service Bus emulator raises."""
