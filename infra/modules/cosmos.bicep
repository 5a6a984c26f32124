// A serverless Cosmos DB (NoSQL) account with key auth off, the database and containers of ../entities.json
// (`switchboard`/`runs`, partition key /run_id), and data-plane RBAC: the identity gets the built-in Data
// Contributor (items only: it cannot create or delete databases and containers, which this template owns). With
// deployMemory, the agents' memory container (CosmosVectorMemory, switchboard/memory/cosmos.py) joins them: its
// vector embedding, vector index and full-text policies are the ones the code gives a container it creates locally.

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

@description('Create the memory container of CosmosVectorMemory (vector and full-text search).')
param deployMemory bool = false

@description('Vector length of the embedding model the app uses (SWITCHBOARD_EMBEDDING_DIMENSIONS).')
@minValue(1)
@maxValue(4096)
param memoryDimensions int = 1536

@description('Vector distance of the memory container.')
@allowed([
  'cosine'
  'dotproduct'
  'euclidean'
])
param memoryDistance string = 'cosine'

@description('Vector index type of the memory container (flat takes at most 505 dimensions).')
@allowed([
  'flat'
  'quantizedFlat'
  'diskANN'
])
param memoryVectorIndex string = 'quantizedFlat'

var entities = loadJsonContent('../entities.json')
// The memory container (COSMOS_MEMORY_CONTAINER): a literal, so the entity checks of tests/infra can read it.
var memoryContainerName = 'memory'
// Cosmos DB Built-in Data Contributor: a data-plane role definition of the account, not a Microsoft.Authorization one.
var dataContributor = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
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
      // The memory container's vector and full-text policies need these. Always on: a capability cannot be
      // removed again, so a later deployment without memory must not drop them.
      {
        name: 'EnableNoSQLVectorSearch'
      }
      {
        name: 'EnableNoSQLFullTextSearch'
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

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: entities.cosmos.database
  properties: {
    resource: {
      id: entities.cosmos.database
    }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [for container in entities.cosmos.containers: {
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
      // TTL on, per item: only items that carry a `ttl` expire (inbox marks, outboxes and steps; docs/hosting.md).
      defaultTtl: -1
    }
  }
}]

// The memory container (partition key /scope: one user, team or tenant per partition). Created after the entity
// containers: the account takes one control-plane write at a time (see below).
resource memoryContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = if (deployMemory) {
  parent: database
  name: memoryContainerName
  dependsOn: [
    containers
  ]
  properties: {
    resource: {
      id: memoryContainerName
      partitionKey: {
        paths: [
          '/scope'
        ]
        kind: 'Hash'
        version: 2
      }
      vectorEmbeddingPolicy: {
        vectorEmbeddings: [
          {
            path: '/embedding'
            dataType: 'float32'
            distanceFunction: memoryDistance
            dimensions: memoryDimensions
          }
        ]
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        // Vectors are searched through the vector index; range-indexing them only costs RUs.
        excludedPaths: [
          {
            path: '/"_etag"/?'
          }
          {
            path: '/embedding/*'
          }
        ]
        vectorIndexes: [
          {
            path: '/embedding'
            type: memoryVectorIndex
          }
        ]
        fullTextIndexes: [
          {
            path: '/text'
          }
        ]
      }
      fullTextPolicy: {
        defaultLanguage: 'en-US'
        fullTextPaths: [
          {
            path: '/text'
            language: 'en-US'
          }
        ]
      }
    }
  }
}

// Cosmos DB takes one control-plane write per account at a time and answers 412 ("another operation ... requires an
// exclusive lock") to the rest, so the role assignments wait for the containers (hence the database) and each other.
// Scoped to the whole account, so it covers the memory container too (the app reads and writes memories with it).
resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, principalId, dataContributor)
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
  dependsOn: [
    containers
    memoryContainer
  ]
}

// `switchboard submit` creates the run document; `switchboard runs` reads runs.
resource userDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = if (!empty(userPrincipalId)) {
  parent: account
  name: guid(account.id, userPrincipalId, dataContributor)
  properties: {
    principalId: userPrincipalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributor}'
    scope: account.id
  }
  dependsOn: [
    containers
    memoryContainer
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

@description('Name of the memory container (whether or not this deployment created it).')
output memoryContainerName string = memoryContainerName
