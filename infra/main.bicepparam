// The parameters of both deployment paths (docs/deploy.md):
// - `azd up` / `azd provision` read this file (azd ignores main.parameters.json when this file exists, so there is none):
//   azd runs it with the variables of the azd environment (`azd env set NAME value`, .azure/<env>/.env).
// - `az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam` reads the shell's environment.
// Every variable has a default, so an unset one never fails the build; the defaults keep the template's own.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'switchboard')
// '' when unset: main.bicep then takes the resource group's region (a region here would override it).
param location = readEnvironmentVariable('AZURE_LOCATION', '')
// azd fills AZURE_PRINCIPAL_ID in with whoever runs it; a CI service principal must also set AZURE_PRINCIPAL_TYPE.
param userPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')
param userPrincipalType = readEnvironmentVariable('AZURE_PRINCIPAL_TYPE', 'User')
param deployOpenAi = bool(readEnvironmentVariable('DEPLOY_OPENAI', 'false'))
// An existing Azure OpenAI account and deployment, used when DEPLOY_OPENAI is false.
param openAiEndpoint = readEnvironmentVariable('AZURE_OPENAI_ENDPOINT', '')
param openAiDeploymentName = readEnvironmentVariable('AZURE_OPENAI_DEPLOYMENT', '')
param openAiModelName = 'gpt-4o-mini'
param openAiModelVersion = '2024-07-18'
param deploySessionPool = bool(readEnvironmentVariable('DEPLOY_SESSION_POOL', 'false'))
// An existing code-execution session pool, used when DEPLOY_SESSION_POOL is false.
param sessionPoolEndpoint = readEnvironmentVariable('ACA_SESSIONS_ENDPOINT', '')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
