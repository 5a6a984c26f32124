"""The Service Bus management API (ATOM over HTTPS) that `ServiceBusAdministrationClient` speaks.

Split like moto: `catalog` (entity descriptions over the live broker), `atom` (the XML the SDK sends and
expects), `routes` (URLs to operations), and the listener that serves them (`listener`, `http`, `tls`).
"""
