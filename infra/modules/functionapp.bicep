// The Flex Consumption plan and the Python Function App (function_app.py at the repository root). Every connection
// is identity-based through the one user-assigned identity: storage (host state and the deployment package),
// Service Bus (`ServiceBusConnection`, the triggers and the publisher), Cosmos DB, Application Insights and Azure
// OpenAI, and the code-execution session pool. No setting holds a key or a secret connection string.

@description('Name of the Function App.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('azd service this app hosts (azure.yaml `services` key); azd finds the app by this tag.')
param serviceName string = 'agents'

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Name of the storage account for host state and the deployment package.')
param storageAccountName string

@description('Name of the blob container of the deployment package.')
param deploymentContainerName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Service Bus host name, e.g. <namespace>.servicebus.windows.net.')
param serviceBusFullyQualifiedNamespace string

@description('Cosmos DB document endpoint.')
param cosmosEndpoint string

@description('Cosmos DB database of the runs.')
param cosmosDatabase string

@description('Cosmos DB container of the runs.')
param cosmosContainer string

@description('Azure OpenAI endpoint; empty leaves the model unconfigured.')
param openAiEndpoint string = ''

@description('Azure OpenAI deployment name.')
param openAiDeploymentName string = ''

@description('Azure OpenAI API version.')
param openAiApiVersion string = '2024-10-21'

@description('Cosmos DB container of the agents\' memory (COSMOS_MEMORY_CONTAINER); empty when none is deployed.')
param memoryContainer string = ''

@description('Azure OpenAI deployment of the embedding model memory uses; empty for none.')
param openAiEmbeddingDeploymentName string = ''

@description('Vector length the embedding model is asked for; the memory container is created for this length.')
param embeddingDimensions int = 1536

@description('Pool management endpoint of the Azure Container Apps session pool where agents run code; empty for none.')
param sessionPoolEndpoint string = ''

@description('Per-agent model settings (MODEL__<AGENT>__<SETTING> → value), e.g. agents on a second deployment.')
param agentModelSettings object = {}

@description('Seconds allowed for one model call.')
param modelTimeoutSeconds int = 60

@description('Attempts per model call, retries included.')
param modelMaxAttempts int = 4

@description('Seconds a run keeps retrying a transient failure (throttling, outages) before it fails with the last error.')
param retryBudgetSeconds int = 900

@description('Back-off before the first retry of a transiently failed message, in seconds; doubles each retry.')
param retryBaseSeconds int = 2

@description('Longest computed back-off between retries, in seconds (a dependency\'s own Retry-After may ask for more).')
param retryMaxDelaySeconds int = 120

@description('NCRONTAB schedule (with seconds) of the sweeper function that ends stranded runs (SweeperSchedule).')
param sweeperSchedule string = '0 */5 * * * *'

@description('Seconds an active run may go without committed progress before the sweeper fails it.')
param staleRunSeconds int = 7200

@description('Cosmos TTL in seconds of inbox marks, outboxes and steps (at least what dead-letter replay needs).')
param hopRetentionSeconds int = 604800

@description('Cosmos TTL in seconds of run documents and transcript entries; -1 keeps them.')
param runRetentionSeconds int = -1

@description('Python version of the app (the version the project is developed and tested with).')
@allowed([
  '3.11'
  '3.12'
])
param pythonVersion string = '3.11'

@description('Upper bound of instances Flex Consumption scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': serviceName
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: pythonVersion
      }
    }
  }
}

// Flex Consumption takes the worker runtime and version from functionAppConfig: no FUNCTIONS_WORKER_RUNTIME or
// FUNCTIONS_EXTENSION_VERSION here.
// The entity list the queues are created from (their maxDeliveryCount is a setting of the processor).
var entities = loadJsonContent('../entities.json')

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  // The per-agent model settings come after the fixed ones, so they can only add names (MODEL__*), never replace.
  properties: union({
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    COSMOS_ENDPOINT: cosmosEndpoint
    COSMOS_DATABASE: cosmosDatabase
    COSMOS_CONTAINER: cosmosContainer
    // Memory (switchboard/memory/settings.py): the same account and database; no endpoint without a container, so
    // CosmosVectorMemory says "no memory store configured" instead of trying to create one it has no right to.
    COSMOS_MEMORY_ENDPOINT: empty(memoryContainer) ? '' : cosmosEndpoint
    COSMOS_MEMORY_DATABASE: cosmosDatabase
    COSMOS_MEMORY_CONTAINER: empty(memoryContainer) ? 'memory' : memoryContainer
    // The embedding client (switchboard/memory/embeddings.py) reads these; the offline model is not installed here.
    AZURE_OPENAI_EMBEDDING_DEPLOYMENT: openAiEmbeddingDeploymentName
    SWITCHBOARD_EMBEDDING_DIMENSIONS: string(embeddingDimensions)
    // The connection string only locates the component (local auth is off); ingestion needs the Entra ID token.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // DefaultAzureCredential (Cosmos DB, Azure OpenAI) picks the user-assigned identity by this client id.
    AZURE_CLIENT_ID: identityClientId
    AZURE_OPENAI_ENDPOINT: openAiEndpoint
    AZURE_OPENAI_DEPLOYMENT: openAiDeploymentName
    OPENAI_API_VERSION: openAiApiVersion
    ACA_SESSIONS_ENDPOINT: sessionPoolEndpoint
    SWITCHBOARD_MODEL_TIMEOUT: string(modelTimeoutSeconds)
    SWITCHBOARD_MODEL_MAX_ATTEMPTS: string(modelMaxAttempts)
    SWITCHBOARD_MODEL_JSON_MODE: 'json_schema'
    // Transient failures are retried by scheduled copies of the message (docs/hosting.md, "Transient failures").
    SWITCHBOARD_RETRY_BUDGET_SECONDS: string(retryBudgetSeconds)
    SWITCHBOARD_RETRY_BASE_SECONDS: string(retryBaseSeconds)
    SWITCHBOARD_RETRY_MAX_DELAY_SECONDS: string(retryMaxDelaySeconds)
    // Stranded runs and retention (switchboard/hosting/lifecycle_settings.py, docs/hosting.md).
    SweeperSchedule: sweeperSchedule
    SWITCHBOARD_STALE_RUN_SECONDS: string(staleRunSeconds)
    SWITCHBOARD_SWEEP_LIMIT: '100'
    // The queues' maxDeliveryCount: the processor fails the run on the last delivery instead of abandoning it.
    SWITCHBOARD_MAX_DELIVERY_COUNT: string(entities.serviceBus.queues[0].properties.maxDeliveryCount)
    SWITCHBOARD_HOP_RETENTION_SECONDS: string(hopRetentionSeconds)
    SWITCHBOARD_RUN_RETENTION_SECONDS: string(runRetentionSeconds)
    PYTHON_ENABLE_OPENTELEMETRY: 'true'
    PYTHON_ISOLATE_WORKER_DEPENDENCIES: '1'
  }, agentModelSettings)
}

@description('Name of the Function App.')
output name string = site.name

@description('Resource id of the Function App.')
output id string = site.id

@description('Default host name, e.g. <name>.azurewebsites.net.')
output defaultHostName string = site.properties.defaultHostName
