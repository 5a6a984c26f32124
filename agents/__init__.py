"""The concrete agents of this deployment, their message catalogue, and the registry the Function App iterates."""
