// A client in another language speaks Switchboard's wire by its JSON Schemas alone (schemas/, written by
// `switchboard schema export`): it checks the task it posts against TaskSubmitted's schema, posts it to the run API
// of a real local deployment (`switchboard host` on the Service Bus and Cosmos emulators), follows the run to its
// end and validates every transcript entry it reads. Run by tests/js/test_js_sdks.py::test_js_run_follows_schemas,
// which starts the stack and passes SWITCHBOARD_URL, SWITCHBOARD_KEY, SWITCHBOARD_TEAM and SWITCHBOARD_SCHEMAS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this file through tests/js/test_js_sdks.py`);
  return value;
};

function loadSchemas(folder) {
  const read = (file) => JSON.parse(readFileSync(join(folder, file), "utf8"));
  const index = read("index.json");
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const messages = new Map(index.messages.map((m) => [`${m.type}@${m.version}`, ajv.compile(read(m.file))]));
  return {
    index,
    envelope: ajv.compile(read(index.envelope)),
    entry: ajv.compile(read(index.transcript_entry)),
    message: (type, version) => {
      const validate = messages.get(`${type}@${version}`);
      assert.ok(validate, `no schema for ${type} v${version} in index.json`);
      return validate;
    },
  };
}

function check(validate, value, what) {
  assert.ok(validate(value), `${what} does not match its schema: ${JSON.stringify(validate.errors)}`);
}

async function api(path, body) {
  const response = await fetch(`${env("SWITCHBOARD_URL")}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-functions-key": env("SWITCHBOARD_KEY") },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

test("the schemas describe the envelope and versioned messages, and refuse what is wrong", () => {
  const schemas = loadSchemas(env("SWITCHBOARD_SCHEMAS"));
  assert.ok(schemas.index.messages.length >= 8);
  const taskSubmitted = schemas.message("switchboard.team.TaskSubmitted", 1);
  assert.equal(taskSubmitted({ task: 42 }), false);
  const envelope = {
    message_id: "m1",
    type: "switchboard.team.TaskSubmitted",
    version: 1,
    run_id: "r1",
    created_at: new Date().toISOString(),
    payload: { task: "hello" },
  };
  check(schemas.envelope, envelope, "a hand-built envelope");
  assert.equal(schemas.envelope({ ...envelope, version: 0 }), false);
  assert.equal(schemas.envelope({ ...envelope, created_at: "yesterday" }), false);
});

test("a task posted to the run API runs to completion and every entry read back matches the schema", async () => {
  const schemas = loadSchemas(env("SWITCHBOARD_SCHEMAS"));
  const task = { task: "Write a short report on serverless agent teams." };
  check(schemas.message("switchboard.team.TaskSubmitted", 1), task, "the task");

  const created = await api("/api/runs", { ...task, team: env("SWITCHBOARD_TEAM") });
  assert.equal(created.status, 202, JSON.stringify(created.body));
  const runId = created.body.run_id;

  let view;
  const deadline = Date.now() + 120_000;
  for (;;) {
    view = (await api(`/api/runs/${runId}`)).body;
    if (["completed", "failed", "cancelled"].includes(view.status) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(view.status, "completed", JSON.stringify(view).slice(0, 2000));
  assert.ok(view.transcript.length >= 3, "the run has the task and at least two turns");
  assert.equal(view.transcript[0].kind, "task");
  assert.equal(view.transcript[0].content, task.task);
  view.transcript.forEach((entry, i) => check(schemas.entry, entry, `transcript entry ${i}`));
  const speakers = new Set(view.transcript.slice(1).map((entry) => entry.source));
  assert.ok(speakers.size >= 2, `more than one agent spoke: ${[...speakers]}`);
});
