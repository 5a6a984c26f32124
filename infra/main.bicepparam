// Parameters for `az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam`.
// Override any of them on the command line, e.g. `-p deployOpenAi=true userPrincipalId=$(az ad signed-in-user show --query id -o tsv)`.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'switchboard')
param location = readEnvironmentVariable('AZURE_LOCATION', 'eastus2')
param userPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param deployOpenAi = bool(readEnvironmentVariable('DEPLOY_OPENAI', 'false'))
param openAiModelName = 'gpt-4o-mini'
param openAiModelVersion = '2024-07-18'
param deploySessionPool = bool(readEnvironmentVariable('DEPLOY_SESSION_POOL', 'false'))
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
