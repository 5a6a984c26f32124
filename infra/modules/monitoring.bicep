// Log Analytics + workspace-based Application Insights with local (instrumentation-key) auth off: telemetry is
// accepted only from Entra ID callers, so the identity gets Monitoring Metrics Publisher on the component.

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Principal id of the Function App identity (telemetry ingestion with Entra ID).')
param principalId string

@description('Days to keep logs.')
param retentionInDays int = 30

// Monitoring Metrics Publisher: the role App Insights checks for Entra ID ingestion (also for traces and logs).
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

resource appInsightsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

@description('Resource id of the Application Insights component (alert scope).')
output appInsightsId string = appInsights.id

@description('Name of the Application Insights component; the Function App reads its connection string by name.')
output appInsightsName string = appInsights.name

@description('Resource id of the Log Analytics workspace.')
output logAnalyticsId string = logAnalytics.id
