// An optional Azure Container Apps dynamic sessions pool (code interpreter, Python) where the agents' code runs:
// each run gets its own Hyper-V sandboxed session (identifier = run id), egress is disabled, idle sessions are
// reclaimed after the cooldown. The identity (and the developer) get Azure ContainerApps Session Executor on the pool:
// it lets a principal run code in sessions and nothing else (no pool management).

@description('Name of the session pool.')
param name string

@description('Azure region (dynamic sessions must be offered there).')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Principal id of the Function App identity.')
param principalId string

@description('Object id of a developer or CI principal that may run code in the pool; empty for none.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

@description('Sessions that may run at once (one per active run).')
@minValue(1)
@maxValue(600)
param maxConcurrentSessions int = 100

@description('Seconds a session stays alive without requests before it is reclaimed (with its variables and files).')
@minValue(300)
@maxValue(3600)
param cooldownPeriodInSeconds int = 600

// Built-in role "Azure ContainerApps Session Executor".
var sessionExecutor = '0fb8eba5-a2bb-4abe-b1c1-49dfad359bb0'

resource pool 'Microsoft.App/sessionPools@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    poolManagementType: 'Dynamic'
    containerType: 'PythonLTS'
    scaleConfiguration: {
      maxConcurrentSessions: maxConcurrentSessions
    }
    dynamicPoolConfiguration: {
      lifecycleConfiguration: {
        lifecycleType: 'Timed'
        cooldownPeriodInSeconds: cooldownPeriodInSeconds
      }
    }
    // Model-written code gets no network (ACA's default, stated so a changed default cannot open it).
    sessionNetworkConfiguration: {
      status: 'EgressDisabled'
    }
  }
}

resource appSessionExecutor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(pool.id, principalId, sessionExecutor)
  scope: pool
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sessionExecutor)
  }
}

resource userSessionExecutor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(pool.id, userPrincipalId, sessionExecutor)
  scope: pool
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', sessionExecutor)
  }
}

@description('Pool management endpoint: the endpoint setting of the code executor.')
output poolManagementEndpoint string = pool.properties.poolManagementEndpoint

@description('Resource id of the pool.')
output id string = pool.id

@description('Name of the pool.')
output name string = pool.name
