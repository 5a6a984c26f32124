// The one user-assigned managed identity of the deployment: the Function App runs as it and every data-plane role
// (Service Bus, Cosmos DB, storage, Application Insights, Azure OpenAI) is granted to it, never a key.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, for the Function App identity and the deployment storage authentication.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client id: the `__clientId` / AZURE_CLIENT_ID settings select this identity.')
output clientId string = identity.properties.clientId

@description('Principal (object) id: what role assignments grant to.')
output principalId string = identity.properties.principalId
