// A serverless Cosmos DB (NoSQL) account with key auth off, the database and containers of ../entities.json
// (`switchboard`/`runs`, partition key /run_id), and data-plane RBAC: the identity gets the built-in Data
// Contributor (items only: it cannot create or delete databases and containers, which this template owns).

@description('Name of the Cosmos DB account.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Principal id of the Function App identity.')
param principalId string

@description('Object id of a developer or CI principal that may create and read runs; empty for none.')
param userPrincipalId string = ''

var entities = loadJsonContent('../entities.json')
// Cosmos DB Built-in Data Contributor: a data-plane role definition of the account, not a Microsoft.Authorization one.
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: entities.cosmos.database
  properties: {
    resource: {
      id: entities.cosmos.database
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for container in entities.cosmos.containers: {
  parent: database
  name: container.name
  properties: {
    resource: {
      id: container.name
      partitionKey: {
        paths: [
          container.partitionKey
        ]
        kind: 'Hash'
        version: 2
      }
    }
  }
}]

// Cosmos DB takes one control-plane write per account at a time and answers 412 ("another operation ... requires an
// exclusive lock") to the rest, so the role assignments wait for the containers (hence the database) and each other.
resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
  dependsOn: [
    containers
  ]
}

// `switchboard submit` creates the run document; `switchboard runs` reads runs.
resource userDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(userPrincipalId)) {
  parent: account
  name: guid(account.id, userPrincipalId, dataContributor)
  properties: {
    principalId: userPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
  dependsOn: [
    containers
    appDataContributor
  ]
}

@description('Name of the account.')
output name string = account.name

@description('Document endpoint for COSMOS_ENDPOINT, e.g. https://<name>.documents.azure.com:443/.')
output endpoint string = account.properties.documentEndpoint

@description('Name of the database.')
output databaseName string = database.name

@description('Name of the runs container (the first container of the entity list).')
output containerName string = entities.cosmos.containers[0].name
