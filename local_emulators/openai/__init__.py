"""A scripted OpenAI-compatible `/v1` server for tests: `python -m local_emulators.openai --script FILE --port N`.

The script format is the one `switchboard.models.scripted` documents. The calling agent is named by the
`x-switchboard-agent` request header; with `x-switchboard-run` and `x-switchboard-step` the reply is chosen by that
step (the same answer every time the step is asked), else by the agent's next turn. `GET /_script/steps` counts the
requests per step, `GET /_script/requests` lists them, `POST /_script/reset` clears them (and may swap the script).
"""
