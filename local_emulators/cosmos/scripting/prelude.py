"""The JavaScript side of Azure's server-side API: `getContext()`, the collection, the request and the response.

Every collection call queues a request and answers `true` (accepted) until the host says the budget is
nearly spent; then it answers `false`, Azure's signal to stop and hand a continuation back to the client.
The host runs the queue and calls `__sb_deliver`, which invokes each callback as `(error, resource, options)`;
an error without a callback throws, which aborts the script and rolls back its writes.
"""

PRELUDE = r"""
var __sb = {queue: [], callbacks: {}, seq: 0, accepting: true, body: undefined, request: null, self: ''};
function __sb_op(kind, fields, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (!__sb.accepting) { return false; }
  var id = ++__sb.seq;
  __sb.callbacks[id] = callback;
  fields.kind = kind; fields.id = id; fields.options = options || {};
  __sb.queue.push(fields);
  return true;
}
function __sb_query(spec) {
  return typeof spec === 'string' ? {query: spec, parameters: []} : spec;
}
var __sb_collection = {
  getSelfLink: function () { return __sb.self; },
  getAltLink: function () { return __sb.self; },
  createDocument: function (link, doc, options, callback) {
    return __sb_op('create', {doc: doc}, options, callback); },
  upsertDocument: function (link, doc, options, callback) {
    return __sb_op('upsert', {doc: doc}, options, callback); },
  replaceDocument: function (link, doc, options, callback) {
    return __sb_op('replace', {link: link, doc: doc}, options, callback); },
  readDocument: function (link, options, callback) {
    return __sb_op('read', {link: link}, options, callback); },
  deleteDocument: function (link, options, callback) {
    return __sb_op('delete', {link: link}, options, callback); },
  readDocuments: function (link, options, callback) {
    return __sb_op('query', {query: {query: 'SELECT * FROM root r', parameters: []}}, options, callback); },
  queryDocuments: function (link, query, options, callback) {
    return __sb_op('query', {query: __sb_query(query)}, options, callback); }
};
var __sb_response = {
  setBody: function (body) { __sb.body = body; },
  getBody: function () { return __sb.body; },
  appendBody: function (text) { __sb.body = (__sb.body === undefined ? '' : String(__sb.body)) + text; },
  appendValue: function (text) { __sb.body = (__sb.body === undefined ? '' : String(__sb.body)) + text; }
};
var __sb_request = {
  getBody: function () { return __sb.request; },
  setBody: function (body) { __sb.request = body; },
  getValue: function () { return __sb.request; },
  setValue: function (body) { __sb.request = body; }
};
function getContext() {
  return {
    getCollection: function () { return __sb_collection; },
    getResponse: function () { return __sb_response; },
    getRequest: function () { return __sb_request; }
  };
}
var __ = __sb_collection;
function __sb_drain() { var q = __sb.queue; __sb.queue = []; return JSON.stringify(q); }
function __sb_deliver(results) {
  for (var i = 0; i < results.length; i++) {
    var r = results[i];
    var callback = __sb.callbacks[r.id];
    delete __sb.callbacks[r.id];
    var error;
    if (r.error) { error = new Error(r.error.message); error.number = r.error.status; error.body = r.error.message; }
    if (typeof callback === 'function') {
      callback(error, r.resource, r.responseOptions || {});
    } else if (error) {
      throw error;
    }
  }
}
"""
