// A small program instrumented by hand in the exact form telemetry-injector inserts.
// `node app.mjs demo` exercises calls, a method, a thrown error, a generator and two
// concurrent async calls; `node app.mjs sighup` waits on stdin so a test can toggle
// telemetry with SIGHUP in between.
import * as _tm from "./telemetry-runtime.cjs";
import * as readline from "node:readline";

function add(a, b) {
  const __tel = _tm.on() && _tm.enter("add", "app.mjs", 8, { a, b }); try {
  return _tm.ret(__tel, (a + b));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function square(x) {
  const __tel = _tm.on() && _tm.enter("square", "app.mjs", 14, { x }); try {
  return _tm.ret(__tel, (x * x));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function login(user, password, note) {
  const __tel = _tm.on() && _tm.enter("login", "app.mjs", 20, { user, password, note }); try {
  return _tm.ret(__tel, (user.length + password.length));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function risky(n) {
  const __tel = _tm.on() && _tm.enter("risky", "app.mjs", 26, { n }); try {
  if (n < 0) throw new RangeError(`negative: ${n}`);
  return _tm.ret(__tel, (n));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function safe(n) {
  const __tel = _tm.on() && _tm.enter("safe", "app.mjs", 33, { n }); try {
  try {
    return _tm.ret(__tel, (risky(n)));
  } catch (err) {
    return _tm.ret(__tel, (`caught ${err.message}`));
  }
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

class Counter {
  constructor() {
    this.total = 0;
  }

  inc(by) {
    const __tel = _tm.on() && _tm.enter("Counter.inc", "app.mjs", 48, { by }); try {
    this.total = add(this.total, by);
    return _tm.ret(__tel, (this.total));
    } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
  }
}

function* countdown(n) {
  const __tel = _tm.on() && _tm.enter("countdown", "app.mjs", 56, { n }); try {
  while (n > 0) {
    const got = _tm.resume(__tel, yield _tm.suspend(__tel, square(n)));
    n -= got === undefined ? 1 : got;
  }
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function consume() {
  const __tel = _tm.on() && _tm.enter("consume", "app.mjs", 65, {}); try {
  let total = 0;
  for (const value of countdown(3)) total = add(total, value);
  return _tm.ret(__tel, (total));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchItem(n, delay) {
  const __tel = _tm.on() && _tm.enter("fetchItem", "app.mjs", 75, { n, delay }); try {
  _tm.resume(__tel, await _tm.suspend(__tel, sleep(delay)));
  const first = square(n);
  _tm.resume(__tel, await _tm.suspend(__tel, sleep(delay)));
  return _tm.ret(__tel, (add(first, n)));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

async function gatherBoth() {
  const __tel = _tm.on() && _tm.enter("gatherBoth", "app.mjs", 84, {}); try {
  const results = _tm.resume(__tel, await _tm.suspend(__tel, Promise.all([fetchItem(10, 20), fetchItem(20, 10)])));
  return _tm.ret(__tel, (add(results[0], results[1])));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

function phase(name) {
  const __tel = _tm.on() && _tm.enter(name, "app.mjs", 91, {}); try {
  return _tm.ret(__tel, (add(1, 2)));
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

const input = readline.createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

async function session() {
  const __tel = _tm.on() && _tm.enter("session", "app.mjs", 100, {}); try {
  phase("during");
  console.log("on");
  _tm.resume(__tel, await _tm.suspend(__tel, lines.next()));
  phase("late");
  } catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }
}

async function demo() {
  console.log("add", add(2, 3));
  console.log("login", login("ada", "hunter2", "x".repeat(500)));
  console.log("safe", safe(4), "|", safe(-1));
  const counter = new Counter();
  counter.inc(5);
  console.log("counter", counter.inc(7));
  console.log("consume", consume());
  console.log("gather", await gatherBoth());
}

async function sighup() {
  phase("before");
  console.log("ready");
  await lines.next();
  await session();
  console.log("done");
}

({ demo, sighup })[process.argv[2]]().finally(() => input.close());
