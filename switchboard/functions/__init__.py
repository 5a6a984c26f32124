"""The Azure Functions adapter: the app builder, the HTTP API, the entity list, and the composition root.

`runtime.HostedRuntime` wires the SDK-free processor of `switchboard.hosting` to Cosmos DB (`switchboard.state`)
and Service Bus (`switchboard.transport`); `app_builder` turns it into one Service Bus-triggered function per agent.
"""
