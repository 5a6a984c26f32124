"""A Function App whose agents answer and whose tool returns far more than one Service Bus message can carry."""
