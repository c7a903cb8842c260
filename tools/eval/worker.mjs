/**
 * A worker thread running one shard of users through a Runner (see runner.mjs).  Messages in:
 * { cmd: 'tune' } and { cmd: 'test', chosen, baseVariant }; out: { progress: users } while it
 * works, then { result } or { error }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Runner } from './runner.mjs';

const runner = new Runner(workerData.setup);
const shard = workerData.shard;

function progress() {
  let pending = 0;
  let last = Date.now();
  return {
    tick() {
      pending++;
      const now = Date.now();
      if (now - last > 200) {
        parentPort.postMessage({ progress: pending });
        pending = 0;
        last = now;
      }
    },
    flush() {
      if (pending) parentPort.postMessage({ progress: pending });
      pending = 0;
    },
  };
}

parentPort.on('message', async (msg) => {
  const p = progress();
  try {
    let result;
    if (msg.cmd === 'tune') result = await runner.tune(shard, p.tick);
    else if (msg.cmd === 'test') result = await runner.test(shard, msg.chosen, msg.baseVariant, p.tick);
    else throw new Error(`unknown command ${msg.cmd}`);
    p.flush();
    parentPort.postMessage({ result });
  } catch (err) {
    parentPort.postMessage({ error: { message: err?.message ?? String(err), code: err?.code, stack: err?.stack } });
  }
});
