"""Hosting: agents as Service Bus-triggered Azure Functions, state in Cosmos DB, and the local Functions host."""
