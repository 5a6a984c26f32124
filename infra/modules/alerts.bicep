// Alerts a run's operator needs: any message dead-lettered on any queue or subscription (bad input, or a transient
// failure that outlived maxDeliveryCount), and failed function invocations. Notifications go to an optional e-mail.

@description('Prefix of the alert names.')
param namePrefix string

@description('Tags for every resource.')
param tags object = {}

@description('Resource id of the Service Bus namespace.')
param serviceBusId string

@description('Resource id of the Application Insights component the Function App reports to.')
param appInsightsId string

@description('E-mail address notified when an alert fires; empty creates the alerts without a notification.')
param alertEmail string = ''

@description('Failed invocations within the window that fire the failures alert.')
param failureThreshold int = 0

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${namePrefix}-alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'switchboard'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// `.?id ?? ''`: actionGroup is conditional, and a plain `.id` on it fails validation when it is not deployed.
var actions = empty(alertEmail) ? [] : [
  {
    actionGroupId: actionGroup.?id ?? ''
  }
]

resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message was dead-lettered: inspect it with `switchboard dlq list` and replay it with `switchboard dlq replay`.'
    severity: 2
    enabled: true
    scopes: [
      serviceBusId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'DeadletteredMessages'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          // One time series per queue or topic, so the alert names the entity.
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

resource functionFailures 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}-function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function invocations failed: see the failures blade of Application Insights (operation name = run id).'
    severity: 2
    enabled: true
    scopes: [
      appInsightsId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          name: 'FailedRequests'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: failureThreshold
          timeAggregation: 'Count'
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

@description('Resource id of the dead-letter alert.')
output deadLetterAlertId string = deadLetters.id

@description('Resource id of the function-failures alert.')
output functionFailuresAlertId string = functionFailures.id
