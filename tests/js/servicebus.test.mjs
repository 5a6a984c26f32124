// The official JavaScript Service Bus SDK (@azure/service-bus, rhea underneath) against the emulator.
// Run by tests/js/test_js_sdks.py, which starts the emulator and sets:
//   SB_CONNECTION_STRING, SB_QUEUE, SB_SESSION_QUEUE, SB_MAX_DELIVERY_QUEUE, SB_TOPIC,
//   SB_SQL_SUBSCRIPTION, SB_CORRELATION_SUBSCRIPTION, and SB_CONTROL_URL (the emulator's
//   control plane, used to purge every entity before each test).
// One test() per everyday operation, so node's pass count is the number of operations that work.
import { after, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { isServiceBusError, ServiceBusClient } from "@azure/service-bus";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run through tests/js/test_js_sdks.py)`);
  return value;
};

const CONN = env("SB_CONNECTION_STRING");
const QUEUE = process.env.SB_QUEUE ?? "js-queue";
const SESSIONS = process.env.SB_SESSION_QUEUE ?? "js-sessions";
const MAX_DELIVERY = process.env.SB_MAX_DELIVERY_QUEUE ?? "js-max-delivery";
const TOPIC = process.env.SB_TOPIC ?? "js-topic";
const SQL_SUB = process.env.SB_SQL_SUBSCRIPTION ?? "sql";
const CORR_SUB = process.env.SB_CORRELATION_SUBSCRIPTION ?? "correlation";
const WAIT = { maxWaitTimeInMs: 5000 };
const SHORT = { maxWaitTimeInMs: 500 };

const clients = [];
function newClient(connectionString = CONN, options = {}) {
  const client = new ServiceBusClient(connectionString, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 200, timeoutInMs: 15000 },
    ...options,
  });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  const reset = await fetch(`${env("SB_CONTROL_URL")}/reset`, { method: "POST" });
  assert.equal(reset.status, 200, "the emulator's control plane purges every entity");
});

after(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
});

// Receive until `count` messages arrived (a receive call may return fewer than asked).
async function receiveAll(receiver, count, options = WAIT) {
  const out = [];
  for (let round = 0; out.length < count && round < 20; round++) {
    const got = await receiver.receiveMessages(count - out.length, options);
    if (got.length === 0) break;
    out.push(...got);
  }
  return out;
}

async function expectCode(promise, code) {
  await assert.rejects(promise, (err) => {
    assert.ok(isServiceBusError(err), `expected a ServiceBusError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

test("send and receive single messages and a batch, with typed application properties", async () => {
  const client = newClient();
  const sender = client.createSender(QUEUE);
  const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  const props = { count: 42, ratio: 2.5, flag: true, name: "héllo", when };
  await sender.sendMessages({ body: { hello: "world" }, messageId: "single-1", subject: "greeting", applicationProperties: props });
  const batch = await sender.createMessageBatch();
  for (let i = 0; i < 3; i++) assert.ok(batch.tryAddMessage({ body: `batched-${i}`, applicationProperties: { index: i } }));
  await sender.sendMessages(batch);
  await sender.sendMessages([{ body: "array-0" }, { body: "array-1" }]);

  // skipConvertingDate keeps a timestamp a Date (by default the SDK turns it into a number).
  const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete", skipConvertingDate: true });
  const got = await receiveAll(receiver, 6);
  assert.equal(got.length, 6);
  const [single, ...rest] = got;
  assert.deepEqual(single.body, { hello: "world" });
  assert.equal(single.messageId, "single-1");
  assert.equal(single.subject, "greeting");
  assert.equal(single.applicationProperties.count, 42);
  assert.equal(single.applicationProperties.ratio, 2.5);
  assert.equal(single.applicationProperties.flag, true);
  assert.equal(single.applicationProperties.name, "héllo");
  assert.ok(single.applicationProperties.when instanceof Date, "a Date travels as an AMQP timestamp");
  assert.equal(single.applicationProperties.when.getTime(), when.getTime());
  assert.deepEqual(rest.map((m) => m.body), ["batched-0", "batched-1", "batched-2", "array-0", "array-1"]);
  assert.deepEqual(rest.slice(0, 3).map((m) => m.applicationProperties.index), [0, 1, 2]);
  assert.ok(rest.every((m) => typeof m.messageId === "string" && m.messageId.length > 0), "the broker assigns message ids");
  const seqs = got.map((m) => Number(m.sequenceNumber));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
});

test("peek-lock then complete removes the message", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages({ body: "complete me" });
  const receiver = client.createReceiver(QUEUE);
  const [message] = await receiver.receiveMessages(1, WAIT);
  assert.equal(message.body, "complete me");
  assert.ok(message.lockToken);
  assert.equal(message.deliveryCount, 0);
  await receiver.completeMessage(message);
  assert.equal((await receiver.peekMessages(10)).length, 0);
});

test("abandon makes the message available again with a higher delivery count", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages({ body: "abandon me" });
  const receiver = client.createReceiver(QUEUE);
  const [first] = await receiver.receiveMessages(1, WAIT);
  await receiver.abandonMessage(first);
  const [again] = await receiver.receiveMessages(1, WAIT);
  assert.equal(again.body, "abandon me");
  assert.equal(again.deliveryCount, 1);
  assert.equal(String(again.sequenceNumber), String(first.sequenceNumber));
  await receiver.completeMessage(again);
});

test("dead-letter with a reason and description", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages({ body: "poison", applicationProperties: { keep: "me" } });
  const receiver = client.createReceiver(QUEUE);
  const [message] = await receiver.receiveMessages(1, WAIT);
  await receiver.deadLetterMessage(message, { deadLetterReason: "BadInput", deadLetterErrorDescription: "cannot parse" });
  assert.equal((await receiver.receiveMessages(1, SHORT)).length, 0);
  const dlq = client.createReceiver(QUEUE, { subQueueType: "deadLetter" });
  const [dead] = await dlq.receiveMessages(1, WAIT);
  assert.equal(dead.body, "poison");
  assert.equal(dead.deadLetterReason, "BadInput");
  assert.equal(dead.deadLetterErrorDescription, "cannot parse");
  assert.equal(dead.applicationProperties.keep, "me");
  await dlq.completeMessage(dead);
});

test("defer, then receive the deferred message by sequence number", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages({ body: "later" });
  const receiver = client.createReceiver(QUEUE);
  const [message] = await receiver.receiveMessages(1, WAIT);
  await receiver.deferMessage(message);
  assert.equal((await receiver.receiveMessages(1, SHORT)).length, 0, "deferred messages are not delivered");
  const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber);
  assert.equal(deferred.body, "later");
  assert.equal(deferred.state, "deferred");
  assert.equal(deferred.deadLetterSource, undefined);
  await receiver.completeMessage(deferred);
  await assert.rejects(receiver.receiveDeferredMessages(message.sequenceNumber));
});

test("receive-and-delete takes messages without locks", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages([{ body: "a" }, { body: "b" }]);
  const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete" });
  const got = await receiveAll(receiver, 2);
  assert.deepEqual(got.map((m) => m.body), ["a", "b"]);
  assert.ok(got.every((m) => m.lockToken === undefined));
  assert.equal((await receiver.peekMessages(10)).length, 0);
});

test("schedule messages and cancel one", async () => {
  const client = newClient();
  const sender = client.createSender(QUEUE);
  const at = new Date(Date.now() + 1500);
  const [keep, drop] = await sender.scheduleMessages([{ body: "scheduled" }, { body: "cancelled" }], at);
  await sender.cancelScheduledMessages(drop);
  const receiver = client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete" });
  const peeked = await receiver.peekMessages(10);
  assert.equal(peeked.length, 1);
  assert.equal(peeked[0].state, "scheduled");
  assert.equal(String(peeked[0].sequenceNumber), String(keep));
  assert.equal(peeked[0].scheduledEnqueueTimeUtc.getTime(), at.getTime());
  const got = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
  assert.deepEqual(got.map((m) => m.body), ["scheduled"]);
  assert.ok(Date.now() >= at.getTime() - 50, "not delivered before its time");
  assert.equal((await receiver.peekMessages(10)).length, 0, "the cancelled message never arrives");
});

test("peek returns messages without locking them", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages([{ body: "p1" }, { body: "p2" }, { body: "p3" }]);
  const receiver = client.createReceiver(QUEUE);
  const peeked = await receiver.peekMessages(2);
  assert.deepEqual(peeked.map((m) => m.body), ["p1", "p2"]);
  assert.ok(peeked.every((m) => m.state === "active" && m.lockToken === undefined));
  const more = await receiver.peekMessages(5);
  assert.deepEqual(more.map((m) => m.body), ["p3"], "peek continues after the last peeked sequence number");
  const got = await receiveAll(receiver, 3);
  assert.equal(got.length, 3, "peeked messages stay available");
  await Promise.all(got.map((m) => receiver.completeMessage(m)));
});

test("renew a message lock", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages({ body: "long job" });
  const receiver = client.createReceiver(QUEUE);
  const [message] = await receiver.receiveMessages(1, WAIT);
  const before = message.lockedUntilUtc.getTime();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const renewed = await receiver.renewMessageLock(message);
  assert.ok(renewed.getTime() > before, `${renewed.toISOString()} should be after ${new Date(before).toISOString()}`);
  await receiver.completeMessage(message);
});

test("sessions: accept a session by id", async () => {
  const client = newClient();
  const sender = client.createSender(SESSIONS);
  await sender.sendMessages([{ body: "for-a", sessionId: "a" }, { body: "for-b", sessionId: "b" }]);
  const receiver = await client.acceptSession(SESSIONS, "b");
  assert.equal(receiver.sessionId, "b");
  assert.ok(receiver.sessionLockedUntilUtc.getTime() > Date.now());
  const [message] = await receiver.receiveMessages(1, WAIT);
  assert.equal(message.body, "for-b");
  assert.equal(message.sessionId, "b");
  await receiver.completeMessage(message);
  assert.equal((await receiver.receiveMessages(1, SHORT)).length, 0);
  await receiver.close();
});

test("sessions: accept the next available session", async () => {
  const client = newClient();
  await client.createSender(SESSIONS).sendMessages({ body: "only", sessionId: "next-1" });
  const receiver = await client.acceptNextSession(SESSIONS);
  assert.equal(receiver.sessionId, "next-1");
  const [message] = await receiver.receiveMessages(1, WAIT);
  assert.equal(message.body, "only");
  await receiver.completeMessage(message);
  await receiver.close();
});

test("sessions: set and get session state", async () => {
  const client = newClient();
  await client.createSender(SESSIONS).sendMessages({ body: "s", sessionId: "stateful" });
  const receiver = await client.acceptSession(SESSIONS, "stateful");
  assert.equal(await receiver.getSessionState(), null);
  await receiver.setSessionState(JSON.stringify({ step: 3 }));
  const state = await receiver.getSessionState();
  assert.deepEqual(JSON.parse(Buffer.from(state).toString()), { step: 3 });
  await receiver.renewSessionLock();
  await receiver.close();
  const again = await client.acceptSession(SESSIONS, "stateful");
  assert.deepEqual(JSON.parse(Buffer.from(await again.getSessionState()).toString()), { step: 3 });
  await again.close();
});

test("sessions: messages of one session arrive in order", async () => {
  const client = newClient();
  const sender = client.createSender(SESSIONS);
  for (let i = 0; i < 5; i++) await sender.sendMessages({ body: i, sessionId: "fifo" });
  await sender.sendMessages({ body: "other", sessionId: "fifo-other" });
  const receiver = await client.acceptSession(SESSIONS, "fifo");
  const got = await receiveAll(receiver, 5);
  assert.deepEqual(got.map((m) => m.body), [0, 1, 2, 3, 4]);
  await Promise.all(got.map((m) => receiver.completeMessage(m)));
  await receiver.close();
});

test("the streaming subscribe() receiver handles every message", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages([1, 2, 3, 4, 5].map((n) => ({ body: n })));
  const receiver = client.createReceiver(QUEUE);
  const seen = [];
  const errors = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscribe saw only ${seen.length} messages`)), 10000);
    receiver.subscribe(
      {
        async processMessage(message) {
          seen.push(message.body);
          if (seen.length === 5) {
            clearTimeout(timer);
            resolve();
          }
        },
        async processError(args) {
          errors.push(args.error);
        },
      },
      { autoCompleteMessages: true },
    );
  });
  await receiver.close();
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.deepEqual(errors, []);
  const check = client.createReceiver(QUEUE);
  assert.equal((await check.peekMessages(10)).length, 0, "autoComplete completed every message");
});

test("topic: a SQL filter subscription gets only matching messages", async () => {
  const client = newClient();
  await client.createSender(TOPIC).sendMessages([
    { body: "match", applicationProperties: { color: "red", size: 3 } },
    { body: "too small", applicationProperties: { color: "red", size: 1 } },
    { body: "wrong color", applicationProperties: { color: "blue", size: 9 } },
  ]);
  const receiver = client.createReceiver(TOPIC, SQL_SUB, { receiveMode: "receiveAndDelete" });
  const got = await receiveAll(receiver, 3, { maxWaitTimeInMs: 1500 });
  assert.deepEqual(got.map((m) => m.body), ["match"]);
});

test("topic: a correlation filter subscription gets only matching messages", async () => {
  const client = newClient();
  await client.createSender(TOPIC).sendMessages([
    { body: "match", correlationId: "order-1", subject: "created", applicationProperties: { kind: "special" } },
    { body: "wrong id", correlationId: "order-2", subject: "created", applicationProperties: { kind: "special" } },
    { body: "no kind", correlationId: "order-1", subject: "created" },
  ]);
  const receiver = client.createReceiver(TOPIC, CORR_SUB, { receiveMode: "receiveAndDelete" });
  const got = await receiveAll(receiver, 3, { maxWaitTimeInMs: 1500 });
  assert.deepEqual(got.map((m) => m.body), ["match"]);
});

test("dead-letter queue: receive, peek and complete dead-lettered messages", async () => {
  const client = newClient();
  await client.createSender(QUEUE).sendMessages([{ body: "d1" }, { body: "d2" }]);
  const receiver = client.createReceiver(QUEUE);
  for (const message of await receiveAll(receiver, 2)) await receiver.deadLetterMessage(message, { deadLetterReason: "r" });
  const dlq = client.createReceiver(QUEUE, { subQueueType: "deadLetter" });
  assert.equal(dlq.entityPath, `${QUEUE}/$DeadLetterQueue`);
  assert.deepEqual((await dlq.peekMessages(10)).map((m) => m.body), ["d1", "d2"]);
  const dead = await receiveAll(dlq, 2);
  assert.deepEqual(dead.map((m) => m.body), ["d1", "d2"]);
  assert.ok(dead.every((m) => m.deadLetterSource === undefined), "Azure sets deadLetterSource only on forwarded messages");
  await Promise.all(dead.map((m) => dlq.completeMessage(m)));
  assert.equal((await dlq.peekMessages(10)).length, 0);
});

test("max delivery count moves a message to the dead-letter queue", async () => {
  const client = newClient();
  await client.createSender(MAX_DELIVERY).sendMessages({ body: "unlucky" });
  const receiver = client.createReceiver(MAX_DELIVERY);
  for (let attempt = 0; attempt < 2; attempt++) {
    const [message] = await receiver.receiveMessages(1, WAIT);
    assert.equal(message.deliveryCount, attempt);
    await receiver.abandonMessage(message);
  }
  assert.equal((await receiver.receiveMessages(1, SHORT)).length, 0);
  const dlq = client.createReceiver(MAX_DELIVERY, { subQueueType: "deadLetter", receiveMode: "receiveAndDelete" });
  const [dead] = await dlq.receiveMessages(1, WAIT);
  assert.equal(dead.body, "unlucky");
  assert.equal(dead.deadLetterReason, "MaxDeliveryCountExceeded");
});

test("a wrong key is refused with UnauthorizedAccess", async () => {
  const wrong = CONN.replace(/SharedAccessKey=[^;]*/, "SharedAccessKey=not-the-key");
  const client = newClient(wrong, { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } });
  await expectCode(client.createSender(QUEUE).sendMessages({ body: "x" }), "UnauthorizedAccess");
});

test("a missing entity is refused with MessagingEntityNotFound", async () => {
  const client = newClient(CONN, { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } });
  await expectCode(client.createSender("no-such-queue").sendMessages({ body: "x" }), "MessagingEntityNotFound");
  await expectCode(client.createReceiver("no-such-queue").receiveMessages(1, SHORT), "MessagingEntityNotFound");
  // The connection stays usable after the refusals.
  await client.createSender(QUEUE).sendMessages({ body: "still fine" });
  assert.equal((await client.createReceiver(QUEUE).peekMessages(1))[0].body, "still fine");
});

test("an oversize message is refused with MessageSizeExceeded", async () => {
  const client = newClient(CONN, { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } });
  const sender = client.createSender(QUEUE);
  await expectCode(sender.sendMessages({ body: Buffer.alloc(300 * 1024, 1) }), "MessageSizeExceeded");
  await sender.sendMessages({ body: Buffer.alloc(200 * 1024, 2) });
  const [big] = await client.createReceiver(QUEUE, { receiveMode: "receiveAndDelete" }).receiveMessages(1, WAIT);
  assert.equal(big.body.length, 200 * 1024);
});

test("20 concurrent clients send and receive", async () => {
  const many = Array.from({ length: 20 }, () => newClient());
  await Promise.all(many.map((c, i) => c.createSender(QUEUE).sendMessages({ body: `client-${i}`, messageId: `m-${i}` })));
  const received = await Promise.all(
    many.map(async (c) => {
      const receiver = c.createReceiver(QUEUE);
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 10000 });
      if (message) await receiver.completeMessage(message);
      return message?.body;
    }),
  );
  assert.deepEqual([...received].sort(), many.map((_, i) => `client-${i}`).sort());
  await Promise.all(many.map((c) => c.close()));
});
