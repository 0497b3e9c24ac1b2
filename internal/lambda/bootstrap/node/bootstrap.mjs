// Portico's Node.js runtime loop for the Lambda Runtime API.
// Node.js standard library only.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const [apiHost, apiPort] = api.split(':');
const base = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
const handlerName = process.env._HANDLER || '';

let currentRequestId = '';

// Lambda prefixes console output with time, request id and level, and
// turns newlines inside one message into carriage returns so a message
// stays one log line.
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [name, level] of Object.entries(levels)) {
    const stream = (level === 'ERROR' || level === 'WARN') ? process.stderr : process.stdout;
    console[name] = (...args) => {
      stream.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args).replace(/\n/g, '\r')}\n`);
    };
  }
}

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiPort, path: base + urlPath, method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body); else req.end();
  });
}

function errorBody(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name && err.name !== 'Error' ? err.name : (err.constructor && err.constructor.name) || 'Error',
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  let msg;
  try { msg = typeof err === 'string' ? err : JSON.stringify(err); } catch { msg = String(err); }
  return { errorType: typeof err === 'string' ? 'string' : typeof err, errorMessage: msg, trace: [] };
}

async function postError(urlPath, body) {
  const data = JSON.stringify(body);
  await request('POST', urlPath, data, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': body.errorType,
  });
}

async function initError(errorType, err) {
  const body = errorBody(err);
  body.errorType = errorType;
  if (!(err instanceof Error)) body.errorMessage = String(err);
  else body.errorMessage = `${err.name}: ${err.message}`;
  console.error(`${errorType}: ${body.errorMessage}`);
  try { await postError('/init/error', body); } finally { process.exit(1); }
}

// "dir/file.fn.nested" → module "dir/file", path "fn.nested".
function splitHandler(h) {
  const slash = h.lastIndexOf('/');
  const dot = h.indexOf('.', slash + 1);
  if (dot < 0) return null;
  return [h.slice(0, dot), h.slice(dot + 1)];
}

function findModule(modPath) {
  const abs = path.resolve(taskRoot, modPath);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (fs.existsSync(abs + ext)) return abs + ext;
  }
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    for (const idx of ['index.js', 'index.mjs', 'index.cjs']) {
      const p = path.join(abs, idx);
      if (fs.existsSync(p)) return p;
    }
  }
  return null;
}

async function loadHandler() {
  const parts = splitHandler(handlerName);
  if (!parts) {
    await initError('Runtime.MalformedHandlerName', new Error(`Bad handler ${handlerName}`));
  }
  const [modPath, fnPath] = parts;
  const file = findModule(modPath);
  if (!file) {
    await initError('Runtime.ImportModuleError', new Error(`Cannot find module '${modPath}'`));
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    const type = e instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError';
    await initError(type, e);
  }
  const lookup = (root) => fnPath.split('.').reduce((o, k) => (o == null ? undefined : o[k]), root);
  let fn = lookup(mod);
  if (typeof fn !== 'function' && mod && mod.default) fn = lookup(mod.default);
  if (typeof fn !== 'function') {
    await initError('Runtime.HandlerNotFound', new Error(`${handlerName} is undefined or not exported`));
  }
  return fn;
}

function makeContext(headers, done) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const ctx = {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, res) => done(err, res),
    succeed: (res) => done(null, res),
    fail: (err) => done(err || 'handled'),
  };
  if (headers['lambda-runtime-client-context']) {
    try { ctx.clientContext = JSON.parse(headers['lambda-runtime-client-context']); } catch { /* ignored */ }
  }
  if (headers['lambda-runtime-cognito-identity']) {
    try { ctx.identity = JSON.parse(headers['lambda-runtime-cognito-identity']); } catch { /* ignored */ }
  }
  return ctx;
}

function runHandler(fn, event, headers) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, res) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err); else resolve(res);
    };
    const ctx = makeContext(headers, done);
    let ret;
    try {
      ret = fn(event, ctx, done);
    } catch (e) {
      done(e);
      return;
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((r) => done(null, r), (e) => done(e === undefined || e === null ? new Error('handler rejected') : e));
    } else if (fn.length < 3 && ret !== undefined) {
      done(null, ret);
    } else if (fn.length < 3) {
      // Neither a promise nor a callback handler: Lambda returns null.
      done(null, null);
    }
  });
}

async function main() {
  patchConsole();
  const fn = await loadHandler();
  process.on('uncaughtException', async (err) => {
    console.error(`Uncaught Exception\t${util.inspect(err)}`);
    if (currentRequestId) {
      try { await postError(`/invocation/${currentRequestId}/error`, errorBody(err)); } catch { /* exiting */ }
    }
    process.exit(129);
  });
  process.on('unhandledRejection', (reason) => { throw reason instanceof Error ? reason : new Error(String(reason)); });
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) {
      console.error(`runtime API /next answered ${next.status}`);
      process.exit(1);
    }
    const id = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8') || 'null');
    } catch (e) {
      await postError(`/invocation/${id}/error`, { errorType: 'Runtime.UnmarshalError', errorMessage: e.message, trace: [] });
      continue;
    }
    let result;
    try {
      result = await runHandler(fn, event, next.headers);
    } catch (e) {
      await postError(`/invocation/${id}/error`, errorBody(e));
      continue;
    }
    let out;
    try {
      out = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      await postError(`/invocation/${id}/error`, { errorType: 'Runtime.MarshalError', errorMessage: e.message, trace: [] });
      continue;
    }
    await request('POST', `/invocation/${id}/response`, out, { 'Content-Type': 'application/json' });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
