"""HTTP handlers: one module per resource family, each turning a request into a backend call."""
