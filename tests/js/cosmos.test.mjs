// The official JavaScript Cosmos DB SDK (@azure/cosmos) against the emulator.
// Run by tests/js/test_js_sdks.py, which starts the emulator and sets COSMOS_ENDPOINT (https),
// COSMOS_HTTP_ENDPOINT, COSMOS_KEY and NODE_TLS_REJECT_UNAUTHORIZED=0 (the certificate is self-signed).
// One test() per everyday operation, so node's pass count is the number of operations that work.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BulkOperationType, ChangeFeedStartFrom, CosmosClient, PartitionKeyKind } from "@azure/cosmos";

const ENDPOINT = process.env.COSMOS_ENDPOINT;
const KEY = process.env.COSMOS_KEY;
const run = ENDPOINT ? test : test.skip; // the Service Bus-only run of this directory leaves Cosmos unset
const HTTP_ENDPOINT = process.env.COSMOS_HTTP_ENDPOINT ?? ENDPOINT?.replace(/^https:/, "http:");

function newClient(endpoint = ENDPOINT, key = KEY) {
  // Endpoint discovery would follow the account's advertised address; the emulator serves this one.
  return new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });
}

let client;
let database;
let container;

before(async () => {
  if (!ENDPOINT) return;
  client = newClient();
  ({ database } = await client.databases.createIfNotExists({ id: `js-${randomUUID().slice(0, 8)}` }));
  ({ container } = await database.containers.createIfNotExists({
    id: "items",
    partitionKey: { paths: ["/pk"] },
  }));
});

after(async () => {
  if (database) await database.delete().catch(() => {});
  client?.dispose();
});

async function expectStatus(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return true;
  });
}

async function queryAll(query, options = {}) {
  const { resources } = await container.items.query(query, options).fetchAll();
  return resources;
}

run("create and read an item", async () => {
  const { resource, statusCode } = await container.items.create({ id: "c1", pk: "a", n: 1 });
  assert.equal(statusCode, 201);
  assert.ok(resource._etag);
  const { resource: read } = await container.item("c1", "a").read();
  assert.equal(read.n, 1);
});

run("read a missing item is a 404 without throwing", async () => {
  const { statusCode, resource } = await container.item("missing", "a").read();
  assert.equal(statusCode, 404);
  assert.equal(resource, undefined);
});

run("replace with the current ETag", async () => {
  const { resource } = await container.items.create({ id: "e1", pk: "a", n: 1 });
  const options = { accessCondition: { type: "IfMatch", condition: resource._etag } };
  const { resource: replaced } = await container.item("e1", "a").replace({ ...resource, n: 2 }, options);
  assert.equal(replaced.n, 2);
  assert.notEqual(replaced._etag, resource._etag);
});

run("replace with a stale ETag is 412", async () => {
  const { resource } = await container.items.create({ id: "e2", pk: "a", n: 1 });
  await container.item("e2", "a").replace({ ...resource, n: 2 });
  const stale = { accessCondition: { type: "IfMatch", condition: resource._etag } };
  await expectStatus(container.item("e2", "a").replace({ ...resource, n: 3 }, stale), 412);
});

run("upsert creates then replaces", async () => {
  const first = await container.items.upsert({ id: "u1", pk: "a", n: 1 });
  assert.equal(first.statusCode, 201);
  const second = await container.items.upsert({ id: "u1", pk: "a", n: 2 });
  assert.equal(second.statusCode, 200);
  assert.equal(second.resource.n, 2);
});

run("delete an item", async () => {
  await container.items.create({ id: "d1", pk: "a" });
  const { statusCode } = await container.item("d1", "a").delete();
  assert.equal(statusCode, 204);
  await expectStatus(container.item("d1", "a").delete(), 404);
});

run("parameterised query", async () => {
  await container.items.create({ id: "p1", pk: "q", color: "red" });
  await container.items.create({ id: "p2", pk: "q", color: "blue" });
  const found = await queryAll({
    query: "SELECT * FROM c WHERE c.pk = @pk AND c.color = @color",
    parameters: [
      { name: "@pk", value: "q" },
      { name: "@color", value: "red" },
    ],
  });
  assert.deepEqual(found.map((d) => d.id), ["p1"]);
});

run("ORDER BY query", async () => {
  for (const n of [3, 1, 2]) await container.items.create({ id: `o${n}`, pk: "order", n });
  const found = await queryAll("SELECT VALUE c.n FROM c WHERE c.pk = 'order' ORDER BY c.n DESC", {
    partitionKey: "order",
  });
  assert.deepEqual(found, [3, 2, 1]);
});

run("aggregate query", async () => {
  for (const n of [1, 2, 3, 4]) await container.items.create({ id: `g${n}`, pk: "agg", n });
  assert.deepEqual(await queryAll("SELECT VALUE SUM(c.n) FROM c", { partitionKey: "agg" }), [10]);
  assert.deepEqual(await queryAll("SELECT VALUE COUNT(1) FROM c WHERE c.pk = 'agg'"), [4]);
});

run("paged query with continuation tokens", async () => {
  for (let i = 0; i < 7; i++) await container.items.create({ id: `page${i}`, pk: "paged", i });
  const iterator = container.items.query("SELECT * FROM c", { partitionKey: "paged", maxItemCount: 3 });
  const sizes = [];
  let token;
  while (iterator.hasMoreResults()) {
    const page = await iterator.fetchNext();
    if (page.resources.length) sizes.push(page.resources.length);
    token ??= page.continuationToken;
  }
  assert.deepEqual(sizes, [3, 3, 1]);
  // A token handed to a new iterator resumes where the first page ended.
  const resumed = container.items.query("SELECT * FROM c", {
    partitionKey: "paged",
    maxItemCount: 3,
    continuationToken: token,
  });
  assert.equal((await resumed.fetchNext()).resources.length, 3);
});

run("cross-partition query", async () => {
  for (const pk of ["x1", "x2", "x3", "x4"]) await container.items.create({ id: `cp-${pk}`, pk, kind: "cross" });
  const found = await queryAll("SELECT * FROM c WHERE c.kind = 'cross' ORDER BY c.pk");
  assert.deepEqual(found.map((d) => d.pk), ["x1", "x2", "x3", "x4"]);
});

run("patch with an operations object", async () => {
  await container.items.create({ id: "pa1", pk: "a", n: 1, tags: ["a"] });
  const { resource } = await container.item("pa1", "a").patch({
    operations: [
      { op: "incr", path: "/n", value: 4 },
      { op: "add", path: "/tags/-", value: "b" },
    ],
  });
  assert.equal(resource.n, 5);
  assert.deepEqual(resource.tags, ["a", "b"]);
});

run("patch with a bare array of operations and a condition miss", async () => {
  await container.items.create({ id: "pa2", pk: "a", n: 1 });
  const { resource } = await container.item("pa2", "a").patch([{ op: "set", path: "/n", value: 9 }]);
  assert.equal(resource.n, 9);
  const conditional = { condition: "FROM c WHERE c.n = 0", operations: [{ op: "set", path: "/n", value: 1 }] };
  await expectStatus(container.item("pa2", "a").patch(conditional), 412);
});

run("transactional batch commits together", async () => {
  const response = await container.items.batch(
    [
      { operationType: BulkOperationType.Create, resourceBody: { id: "b1", pk: "batch" } },
      { operationType: BulkOperationType.Upsert, resourceBody: { id: "b2", pk: "batch" } },
      { operationType: BulkOperationType.Read, id: "b1" },
    ],
    "batch",
  );
  assert.deepEqual(response.result.map((r) => r.statusCode), [201, 201, 200]);
});

run("transactional batch rolls back on a failure", async () => {
  await container.items.create({ id: "bx", pk: "batch2" });
  const response = await container.items.batch(
    [
      { operationType: BulkOperationType.Create, resourceBody: { id: "new", pk: "batch2" } },
      { operationType: BulkOperationType.Create, resourceBody: { id: "bx", pk: "batch2" } },
    ],
    "batch2",
  );
  assert.deepEqual(response.result.map((r) => r.statusCode), [424, 409]);
  assert.equal((await container.item("new", "batch2").read()).statusCode, 404);
});

run("bulk across partitions with a status per operation", async () => {
  await container.items.create({ id: "bk-exists", pk: "bk1" });
  const results = await container.items.bulk([
    { operationType: BulkOperationType.Create, resourceBody: { id: "bk-a", pk: "bk1" } },
    { operationType: BulkOperationType.Create, resourceBody: { id: "bk-b", pk: "bk2" } },
    { operationType: BulkOperationType.Create, resourceBody: { id: "bk-exists", pk: "bk1" } },
    { operationType: BulkOperationType.Delete, id: "bk-exists", partitionKey: "bk1" },
  ]);
  assert.deepEqual(results.map((r) => r.statusCode), [201, 201, 409, 204]);
  assert.equal((await container.item("bk-b", "bk2").read()).statusCode, 200);
});

run("executeBulkOperations", async () => {
  const operations = Array.from({ length: 30 }, (_, i) => ({
    operationType: BulkOperationType.Upsert,
    partitionKey: `eb${i % 5}`,
    resourceBody: { id: `eb${i}`, pk: `eb${i % 5}`, i },
  }));
  const results = await container.items.executeBulkOperations(operations);
  assert.equal(results.length, 30);
  assert.ok(results.every((r) => r.response?.statusCode === 200 || r.response?.statusCode === 201));
  assert.deepEqual(await queryAll("SELECT VALUE COUNT(1) FROM c WHERE STARTSWITH(c.id, 'eb')"), [30]);
});

run("change feed from the beginning, then only new changes", async () => {
  const { container: feed } = await database.containers.createIfNotExists({
    id: "feed",
    partitionKey: { paths: ["/pk"] },
  });
  for (const id of ["f1", "f2"]) await feed.items.create({ id, pk: "cf" });
  const iterator = feed.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning("cf"),
  });
  const first = await iterator.readNext();
  assert.deepEqual(first.result.map((d) => d.id), ["f1", "f2"]);
  await feed.items.create({ id: "f3", pk: "cf" });
  let next = await iterator.readNext();
  for (let round = 0; next.result.length === 0 && round < 5; round++) next = await iterator.readNext();
  assert.deepEqual(next.result.map((d) => d.id), ["f3"]);
});

run("TTL expires items", async () => {
  const { container: ttl } = await database.containers.createIfNotExists({
    id: "ttl",
    partitionKey: { paths: ["/pk"] },
    defaultTtl: -1,
  });
  await ttl.items.create({ id: "short", pk: "t", ttl: 1 });
  await ttl.items.create({ id: "forever", pk: "t" });
  await new Promise((resolve) => setTimeout(resolve, 2200));
  assert.equal((await ttl.item("short", "t").read()).statusCode, 404);
  assert.equal((await ttl.item("forever", "t").read()).statusCode, 200);
});

run("hierarchical partition keys", async () => {
  const { container: hier } = await database.containers.createIfNotExists({
    id: "hier",
    partitionKey: { paths: ["/tenant", "/user"], version: 2, kind: PartitionKeyKind.MultiHash },
  });
  await hier.items.create({ id: "h1", tenant: "t1", user: "u1" });
  await hier.items.create({ id: "h2", tenant: "t1", user: "u2" });
  await hier.items.create({ id: "h3", tenant: "t2", user: "u1" });
  assert.equal((await hier.item("h1", ["t1", "u1"]).read()).resource.id, "h1");
  const { resources } = await hier.items.query("SELECT * FROM c", { partitionKey: ["t1"] }).fetchAll();
  assert.deepEqual(resources.map((d) => d.id).sort(), ["h1", "h2"]);
});

run("a wrong key is refused with 401", async () => {
  const wrong = newClient(ENDPOINT, Buffer.from("not the key").toString("base64"));
  try {
    await expectStatus(wrong.database(database.id).read(), 401);
  } finally {
    wrong.dispose();
  }
});

run("HTTPS and plain HTTP on the same port", async () => {
  assert.ok(ENDPOINT.startsWith("https://"));
  const plain = newClient(HTTP_ENDPOINT);
  try {
    const { resource } = await plain.database(database.id).container("items").item("c1", "a").read();
    assert.equal(resource.id, "c1");
  } finally {
    plain.dispose();
  }
});

run("items over 2 MB are refused with 413", async () => {
  const big = { id: "big", pk: "a", payload: "x".repeat(2 * 1024 * 1024 + 16) };
  await expectStatus(container.items.create(big), 413);
  const fits = { id: "fits", pk: "a", payload: "x".repeat(1024 * 1024) };
  assert.equal((await container.items.create(fits)).statusCode, 201);
});

run("stored procedure writes in its partition, and a throw rolls back with the script's message", async () => {
  const body = `function addTwo(prefix, fail) {
    var collection = getContext().getCollection();
    collection.createDocument(collection.getSelfLink(), { id: prefix + "1", pk: "sp" }, function (err) {
      if (err) throw err;
      collection.createDocument(collection.getSelfLink(), { id: prefix + "2", pk: "sp" }, function (err2) {
        if (err2) throw err2;
        if (fail) throw new Error("refused by the script");
        getContext().getResponse().setBody(prefix + " written");
      });
    });
  }`;
  await container.scripts.storedProcedures.create({ id: "addTwo", body });
  const { resource } = await container.scripts.storedProcedure("addTwo").execute("sp", ["ok", false]);
  assert.equal(resource, "ok written");
  await assert.rejects(container.scripts.storedProcedure("addTwo").execute("sp", ["no", true]), (err) => {
    assert.equal(err.code, 400);
    assert.match(String(err.message), /refused by the script/);
    return true;
  });
  const { resources } = await container.items
    .query("SELECT VALUE c.id FROM c", { partitionKey: "sp" })
    .fetchAll();
  assert.deepEqual(resources.sort(), ["ok1", "ok2"]);
});
