// Observability: the Switchboard workbook (infra/workbook.json) on the Application Insights component, and the saved
// KQL queries of infra/queries in a Log Analytics query pack (Logs > Queries > Switchboard).

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Resource id of the Application Insights component the workbook and the queries read.')
param appInsightsId string

@description('Name of the query pack holding the saved queries.')
param queryPackName string

var queries = [
  {
    name: 'throughput_per_agent'
    displayName: 'Switchboard: throughput per agent'
    body: loadTextContent('../queries/throughput_per_agent.kql')
  }
  {
    name: 'latency_per_agent'
    displayName: 'Switchboard: handler latency P50/P95/P99 per agent'
    body: loadTextContent('../queries/latency_per_agent.kql')
  }
  {
    name: 'error_rates'
    displayName: 'Switchboard: error, dead-letter, run-failure and retry rates per agent'
    body: loadTextContent('../queries/error_rates.kql')
  }
  {
    name: 'dead_letters'
    displayName: 'Switchboard: dead-lettered messages per agent'
    body: loadTextContent('../queries/dead_letters.kql')
  }
  {
    name: 'tokens_and_cost'
    displayName: 'Switchboard: tokens and estimated cost per agent and model'
    body: loadTextContent('../queries/tokens_and_cost.kql')
  }
  {
    name: 'run_trace'
    displayName: 'Switchboard: one run (replace RUN_ID)'
    body: loadTextContent('../queries/run_trace.kql')
  }
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, appInsightsId, 'switchboard-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Switchboard agents'
    category: 'workbook'
    // The component as fallback resource: opened from the Workbooks gallery (not from the component), the panels
    // still know what to query.
    serializedData: string(union(json(loadTextContent('../workbook.json')), {
      fallbackResourceIds: [
        appInsightsId
      ]
    }))
    sourceId: appInsightsId
  }
}

resource queryPack 'Microsoft.OperationalInsights/queryPacks@2019-09-01' = {
  name: queryPackName
  location: location
  tags: tags
  properties: {}
}

resource savedQueries 'Microsoft.OperationalInsights/queryPacks/queries@2019-09-01' = [
  for query in queries: {
    parent: queryPack
    name: guid(queryPack.id, query.name)
    properties: {
      displayName: query.displayName
      body: query.body
      related: {
        categories: [
          'monitor'
        ]
        resourceTypes: [
          'microsoft.insights/components'
        ]
      }
      tags: {
        source: [
          'switchboard'
        ]
      }
    }
  }
]

@description('Resource id of the workbook.')
output workbookId string = workbook.id

@description('Resource id of the query pack with the saved queries.')
output queryPackId string = queryPack.id
