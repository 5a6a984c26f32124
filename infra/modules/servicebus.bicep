// The Service Bus namespace and every queue, topic and subscription of ../entities.json, the entity list generated
// from the agent registry (`switchboard infra entities`): one session-enabled queue per agent, `tasks`, and the
// `run-events` topic. Entity properties come from the JSON unchanged (ARM names). Local (SAS) auth is off: the
// Function App and the developer reach the namespace with Entra ID only.

@description('Name of the Service Bus namespace.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Principal id of the Function App identity.')
param principalId string

@description('Object id of a developer or CI principal that may submit tasks and read dead letters; empty for none.')
param userPrincipalId string = ''

@description('Type of userPrincipalId.')
@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param userPrincipalType string = 'User'

var entities = loadJsonContent('../entities.json')
// 2024-01-01 is the GA API version of Microsoft.ServiceBus (namespaces, queues, topics, subscriptions): every property
// used here (disableLocalAuth, minimumTlsVersion, publicNetworkAccess and the entity list's) is part of it.
// Sessions and topics need Standard (Basic has neither); Premium is not needed at this scale.
var skuName = 'Standard'
// The app both receives (triggers, settlement) and sends (agent to agent, run events, tasks): Data Sender and Data
// Receiver, not Data Owner, which would also let it create and delete entities.
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var serviceBusDataReceiver = '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
var subscriptions = flatten(map(entities.serviceBus.topics, topic => map(topic.subscriptions, subscription => {
  topic: topic.name
  name: subscription.name
  properties: subscription.properties
})))

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for queue in entities.serviceBus.queues: {
  parent: namespace
  name: queue.name
  properties: queue.properties
}]

resource topics 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = [for topic in entities.serviceBus.topics: {
  parent: namespace
  name: topic.name
  properties: topic.properties
}]

// A subscription's parent is one of the looped topics; the full name form avoids indexing the topic loop.
#disable-next-line use-parent-property
resource topicSubscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [for subscription in subscriptions: {
  name: '${namespace.name}/${subscription.topic}/${subscription.name}'
  properties: subscription.properties
  dependsOn: [
    topics
  ]
}]

resource appSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace.id, principalId, serviceBusDataSender)
  scope: namespace
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
  }
}

resource appReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace.id, principalId, serviceBusDataReceiver)
  scope: namespace
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataReceiver)
  }
}

// `switchboard submit` sends to `tasks`; `switchboard dlq` reads and replays dead letters.
resource userRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [serviceBusDataSender, serviceBusDataReceiver]: if (!empty(userPrincipalId)) {
  name: guid(namespace.id, userPrincipalId, role)
  scope: namespace
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

@description('Name of the namespace (dead-letter alert scope).')
output name string = namespace.name

@description('Resource id of the namespace.')
output id string = namespace.id

// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ (any cloud's suffix); keep only the host.
@description('Host name for ServiceBusConnection__fullyQualifiedNamespace, e.g. <name>.servicebus.windows.net.')
output fullyQualifiedNamespace string = replace(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':443/', '')
