// An optional Azure OpenAI account (key auth off, Entra ID only) with one model deployment, optionally a second
// one for agents on another model (a model per agent), and optionally an embedding deployment for agent memory
// (Azure has no offline embedding model: requirements.txt leaves it out); the identity and the developer get Cognitive Services OpenAI
// User (inference only: no deployment or account management).

@description('Name of the account; also its custom subdomain, which Entra ID auth requires.')
param name string

@description('Azure region (the model must be offered there).')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Principal id of the Function App identity.')
param principalId string

@description('Object id of a developer or CI principal that may call the model; empty for none.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

@description('Name of the model deployment (AZURE_OPENAI_DEPLOYMENT).')
param deploymentName string

@description('Model name.')
param modelName string

@description('Model version.')
param modelVersion string

@description('Deployment SKU.')
param skuName string = 'GlobalStandard'

@description('Capacity in thousands of tokens per minute.')
param capacity int = 10

@description('Name of a second model deployment, for agents on another model (e.g. a cheaper reviewer); empty for none.')
param secondDeploymentName string = ''

@description('Model of the second deployment.')
param secondModelName string = ''

@description('Model version of the second deployment.')
param secondModelVersion string = ''

@description('Capacity of the second deployment in thousands of tokens per minute.')
param secondCapacity int = 10

@description('Name of an embedding deployment for memory (AZURE_OPENAI_EMBEDDING_DEPLOYMENT); empty for none.')
param embeddingDeploymentName string = ''

@description('Embedding model, e.g. text-embedding-3-small.')
param embeddingModelName string = 'text-embedding-3-small'

@description('Model version of the embedding deployment.')
param embeddingModelVersion string = '1'

@description('Deployment SKU of the embedding deployment (embedding models are offered as Standard in more regions).')
param embeddingSkuName string = 'Standard'

@description('Capacity of the embedding deployment in thousands of tokens per minute.')
param embeddingCapacity int = 10

var cognitiveServicesOpenAiUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource deployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: deploymentName
  sku: {
    name: skuName
    capacity: capacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: modelName
      version: modelVersion
    }
  }
}

// An account changes one deployment at a time: created together, the second fails with a conflict on the parent.
resource secondDeployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = if (!empty(secondDeploymentName)) {
  parent: account
  name: secondDeploymentName
  dependsOn: [
    deployment
  ]
  sku: {
    name: skuName
    capacity: secondCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: secondModelName
      version: secondModelVersion
    }
  }
}

// After both chat deployments: a dependency on a deployment that is skipped (no second model) is dropped, so the
// first one is named as well.
resource embeddingDeployment 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = if (!empty(embeddingDeploymentName)) {
  parent: account
  name: embeddingDeploymentName
  dependsOn: [
    deployment
    secondDeployment
  ]
  sku: {
    name: embeddingSkuName
    capacity: embeddingCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: embeddingModelName
      version: embeddingModelVersion
    }
  }
}

resource appOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, cognitiveServicesOpenAiUser)
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAiUser)
  }
}

resource userOpenAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(account.id, userPrincipalId, cognitiveServicesOpenAiUser)
  scope: account
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAiUser)
  }
}

@description('Endpoint for AZURE_OPENAI_ENDPOINT, e.g. https://<name>.openai.azure.com/.')
output endpoint string = account.properties.endpoint

@description('Name of the model deployment.')
output deploymentName string = deployment.name

@description('Name of the second model deployment (empty when there is none).')
output secondDeploymentName string = secondDeploymentName

@description('Name of the embedding deployment (empty when there is none).')
output embeddingDeploymentName string = embeddingDeploymentName
