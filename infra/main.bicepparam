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
// A model per agent (docs/models.md): the second deployment and the agents, comma-separated, that call it.
param openAiSecondModelName = readEnvironmentVariable('AZURE_OPENAI_SECOND_MODEL', '')
param openAiSecondModelVersion = readEnvironmentVariable('AZURE_OPENAI_SECOND_MODEL_VERSION', '')
param openAiSecondCapacity = int(readEnvironmentVariable('AZURE_OPENAI_SECOND_CAPACITY', '10'))
// split('') is [''], which main.bicep drops with every other empty name.
param openAiSecondModelAgents = split(readEnvironmentVariable('AZURE_OPENAI_SECOND_MODEL_AGENTS', ''), ',')
// The agents' memory (docs/memory.md): a Cosmos DB vector container, and with DEPLOY_OPENAI an embedding deployment.
param deployMemory = bool(readEnvironmentVariable('DEPLOY_MEMORY', 'false'))
param openAiEmbeddingModelName = readEnvironmentVariable('AZURE_OPENAI_EMBEDDING_MODEL', 'text-embedding-3-small')
// An embedding deployment on the existing account, used when DEPLOY_OPENAI is false.
param openAiEmbeddingDeploymentName = readEnvironmentVariable('AZURE_OPENAI_EMBEDDING_DEPLOYMENT', '')
param embeddingDimensions = int(readEnvironmentVariable('SWITCHBOARD_EMBEDDING_DIMENSIONS', '1536'))
param deploySessionPool = bool(readEnvironmentVariable('DEPLOY_SESSION_POOL', 'false'))
// An existing code-execution session pool, used when DEPLOY_SESSION_POOL is false.
param sessionPoolEndpoint = readEnvironmentVariable('ACA_SESSIONS_ENDPOINT', '')
param alertEmail = readEnvironmentVariable('ALERT_EMAIL', '')
