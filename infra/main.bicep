// Switchboard on Azure: the agents of agents/registry.py as a Flex Consumption Function App, their queues in Service
// Bus, run state (and optionally the agents' memory) in Cosmos DB, telemetry in Application Insights, and optionally
// Azure OpenAI models (one or two chat models, an embedding model for memory). Every
// connection uses one user-assigned managed identity; Service Bus, Cosmos DB, App Insights, storage and Azure OpenAI
// all have local (key) auth turned off, and no output carries a secret.
//
// Deploy: `azd up` (azd reads infra/main.bicepparam, which reads the azd environment's variables), or
// `az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam` (see docs/deploy.md).
// Resources are raw `Microsoft.*` declarations rather than `br/public:` AVM modules so the offline checks of
// tests/infra (tree-sitter-bicep; no Bicep compiler can run here) see every property they assert on.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(64)
@description('Environment name (azd AZURE_ENV_NAME): part of every resource name and the azd-env-name tag.')
param environmentName string

@description('Azure region of every resource; Flex Consumption must be offered there. Empty (AZURE_LOCATION unset) means the region of the resource group.')
param location string = resourceGroup().location

@description('Object id of the developer or CI principal running the deployment (azd AZURE_PRINCIPAL_ID): granted send/receive on Service Bus, Cosmos DB data access and Azure OpenAI use, so `switchboard submit` works after `az login`. Empty for none.')
param userPrincipalId string = ''

@description('Type of userPrincipalId (azd AZURE_PRINCIPAL_TYPE): ServicePrincipal when a CI pipeline deploys, else ARM rejects its role assignments with UnmatchedPrincipalType.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

@description('Create an Azure OpenAI account and model deployment for the agents.')
param deployOpenAi bool = false

@description('Model to deploy when deployOpenAi is true.')
param openAiModelName string = 'gpt-4o-mini'

@description('Version of the model to deploy.')
param openAiModelVersion string = '2024-07-18'

@description('Deployment SKU of the model.')
param openAiSkuName string = 'GlobalStandard'

@description('Capacity of the model deployment, in thousands of tokens per minute.')
param openAiCapacity int = 10

@description('Endpoint of an existing Azure OpenAI account, used when deployOpenAi is false (grant its Cognitive Services OpenAI User role to the identity yourself).')
param openAiEndpoint string = ''

@description('Deployment name on the existing account, used when deployOpenAi is false.')
param openAiDeploymentName string = ''

@description('A second model for some agents (a model per agent), e.g. gpt-4.1-nano for the reviewer: with deployOpenAi it is deployed as a second deployment of this name, else it names a deployment on the existing account. Empty for none.')
param openAiSecondModelName string = ''

@description('Version of the second model to deploy.')
param openAiSecondModelVersion string = ''

@description('Capacity of the second model deployment, in thousands of tokens per minute.')
param openAiSecondCapacity int = 10

@description('Agents that call the second model; each gets the app setting MODEL__<AGENT>__AZURE_OPENAI_DEPLOYMENT.')
param openAiSecondModelAgents array = []

@description('Create the agents\' memory: a Cosmos DB container with vector and full-text search (docs/memory.md) and, with deployOpenAi, an embedding deployment.')
param deployMemory bool = false

@description('Embedding model to deploy when deployMemory and deployOpenAi are true.')
param openAiEmbeddingModelName string = 'text-embedding-3-small'

@description('Version of the embedding model.')
param openAiEmbeddingModelVersion string = '1'

@description('Deployment SKU of the embedding model.')
param openAiEmbeddingSkuName string = 'Standard'

@description('Capacity of the embedding deployment, in thousands of tokens per minute.')
param openAiEmbeddingCapacity int = 10

@description('Embedding deployment on the existing account, used when deployOpenAi is false. Empty for none.')
param openAiEmbeddingDeploymentName string = ''

@description('Vector length of the embeddings: the app asks the model for it and the memory container is made for it (text-embedding-3 models take 1 to their full 1536 or 3072).')
@minValue(1)
@maxValue(4096)
param embeddingDimensions int = 1536

@description('Azure OpenAI API version the agents call.')
param openAiApiVersion string = '2024-10-21'

@description('Create an Azure Container Apps dynamic sessions pool (Python, egress disabled) where agents run code.')
param deploySessionPool bool = false

@description('Pool management endpoint of an existing session pool, used when deploySessionPool is false (grant its Azure ContainerApps Session Executor role to the identity yourself). Empty for none.')
param sessionPoolEndpoint string = ''

@description('Upper bound of Function App instances.')
param maximumInstanceCount int = 100

@description('Memory per Function App instance.')
param instanceMemoryMB int = 2048

@description('E-mail address for the dead-letter and failure alerts; empty for no notification.')
param alertEmail string = ''

@description('Tags added to every resource.')
param tags object = {}

// The .bicepparam passes '' when AZURE_LOCATION is unset: the resource group's region, as without a parameter file.
var region = empty(location) ? resourceGroup().location : location
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, region))
var allTags = union(tags, {
  'azd-env-name': environmentName
})
var appName = 'func-${resourceToken}'
// A model per agent: the setting that sends each listed agent to the second deployment. The agent's part of the name
// is its name in upper case with `-` as `_`, as switchboard/models/agent_models.py reads it. The list may come from a
// comma-separated azd variable (main.bicepparam): blanks around names and empty names are dropped.
var agentModelSettings = empty(openAiSecondModelName)
  ? {}
  : toObject(
      filter(map(openAiSecondModelAgents, agent => trim(agent)), agent => !empty(agent)),
      agent => 'MODEL__${toUpper(replace(agent, '-', '_'))}__AZURE_OPENAI_DEPLOYMENT',
      agent => openAiSecondModelName
    )
var entities = loadJsonContent('entities.json')

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${resourceToken}'
    location: region
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: region
    tags: allTags
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: region
    tags: allTags
    deploymentContainerName: 'app-package-${take(appName, 32)}-${take(resourceToken, 7)}'
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: 'sb-${resourceToken}'
    location: region
    tags: allTags
    principalId: identity.outputs.principalId
    userPrincipalId: userPrincipalId
    userPrincipalType: userPrincipalType
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    name: 'cosmos-${resourceToken}'
    location: region
    tags: allTags
    principalId: identity.outputs.principalId
    userPrincipalId: userPrincipalId
    deployMemory: deployMemory
    memoryDimensions: embeddingDimensions
  }
}

// Read only through `openAi.?outputs.x ?? fallback`: a plain `openAi.outputs.x` fails validation when it is not deployed.
module openAi 'modules/openai.bicep' = if (deployOpenAi) {
  name: 'openai'
  params: {
    name: 'oai-${resourceToken}'
    location: region
    tags: allTags
    principalId: identity.outputs.principalId
    userPrincipalId: userPrincipalId
    userPrincipalType: userPrincipalType
    deploymentName: openAiModelName
    modelName: openAiModelName
    modelVersion: openAiModelVersion
    skuName: openAiSkuName
    capacity: openAiCapacity
    secondDeploymentName: openAiSecondModelName
    secondModelName: openAiSecondModelName
    secondModelVersion: openAiSecondModelVersion
    secondCapacity: openAiSecondCapacity
    embeddingDeploymentName: deployMemory ? openAiEmbeddingModelName : ''
    embeddingModelName: openAiEmbeddingModelName
    embeddingModelVersion: openAiEmbeddingModelVersion
    embeddingSkuName: openAiEmbeddingSkuName
    embeddingCapacity: openAiEmbeddingCapacity
  }
}

// Code execution (issue 16): the sandboxes where CodeExecutorAgent and PythonCodeExecutionTool run code.
module sessions 'modules/sessions.bicep' = if (deploySessionPool) {
  name: 'sessions'
  params: {
    name: 'sp-${resourceToken}'
    location: region
    tags: allTags
    principalId: identity.outputs.principalId
    userPrincipalId: userPrincipalId
    userPrincipalType: userPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: appName
    planName: 'plan-${resourceToken}'
    location: region
    tags: allTags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: entities.cosmos.database
    cosmosContainer: entities.cosmos.containers[0].name
    openAiEndpoint: openAi.?outputs.endpoint ?? openAiEndpoint
    openAiDeploymentName: openAi.?outputs.deploymentName ?? openAiDeploymentName
    openAiApiVersion: openAiApiVersion
    memoryContainer: deployMemory ? cosmos.outputs.memoryContainerName : ''
    openAiEmbeddingDeploymentName: openAi.?outputs.embeddingDeploymentName ?? openAiEmbeddingDeploymentName
    embeddingDimensions: embeddingDimensions
    sessionPoolEndpoint: sessions.?outputs.poolManagementEndpoint ?? sessionPoolEndpoint
    agentModelSettings: agentModelSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: appName
    tags: allTags
    serviceBusId: serviceBus.outputs.id
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmail: alertEmail
  }
}

// Observability (issue 10): the Switchboard workbook and the saved KQL queries of infra/queries.
module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: region
    tags: allTags
    appInsightsId: monitoring.outputs.appInsightsId
    queryPackName: 'pack-${resourceToken}'
  }
}

// Outputs become azd environment values (`azd env get-values`); their names are the app's setting names so a
// developer's shell can use them as they are. None of them is a secret.
@description('Resource group of the deployment.')
output AZURE_RESOURCE_GROUP string = resourceGroup().name

@description('Name of the Function App (`func azure functionapp publish`, `az functionapp ...`).')
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Base URL of the HTTP API.')
output SWITCHBOARD_API_URL string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Service Bus host name for `switchboard submit` after `az login`.')
output ServiceBusConnection__fullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace

@description('Cosmos DB endpoint for `switchboard runs` after `az login`.')
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint

@description('Name of the Application Insights component to query for runs.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName

@description('Client id of the managed identity the app runs as.')
output AZURE_CLIENT_ID string = identity.outputs.clientId

@description('Azure OpenAI endpoint the agents call (empty when no model is configured).')
output AZURE_OPENAI_ENDPOINT string = openAi.?outputs.endpoint ?? openAiEndpoint

@description('Azure OpenAI deployment of the memory\'s embedding model (empty when none is configured).')
output AZURE_OPENAI_EMBEDDING_DEPLOYMENT string = openAi.?outputs.embeddingDeploymentName ?? openAiEmbeddingDeploymentName

@description('Cosmos DB container of the agents\' memory.')
output COSMOS_MEMORY_CONTAINER string = cosmos.outputs.memoryContainerName

@description('Pool management endpoint of the code-execution session pool (empty when none is configured).')
output ACA_SESSIONS_ENDPOINT string = sessions.?outputs.poolManagementEndpoint ?? sessionPoolEndpoint
