"""Local emulators of Azure Service Bus, Cosmos DB and Application Insights, plus model stand-ins.

They speak the real wire protocols so the unmodified Azure SDKs connect to them. They never import the
product (`switchboard`, `agents`), and the product never imports them.
"""
