"""Cosmos DB (NoSQL API) emulator that the real azure-cosmos SDK talks to."""
