// Starts and steers the run's downstream (downstream-server.mjs, its own process).
import { join } from 'node:path';
import { Child } from './children.mjs';

export class Downstream {
  constructor(child, url) {
    this.child = child;
    /** Where events are POSTed: the apps' DOWNSTREAM_URL. */
    this.url = url;
    this.control = new URL('/control/', url).href;
  }

  static async start(name = 'downstream') {
    const child = new Child(name, join(import.meta.dirname, 'downstream-server.mjs'));
    const { url } = await child.waitForJsonLine((line) => 'url' in line, 10_000);
    return new Downstream(child, url);
  }

  /** Healthy with no argument; else e.g. `{ failPercent: 100 }`, `{ flapMs: 1000 }`. */
  async setMode(mode = {}) {
    await this.call('PUT', 'mode', mode);
  }

  /** Totals: calls, ok, failed, uniqueOk, duplicateOk, firstCallAt, lastCallAt. */
  summary() {
    return this.call('GET', 'summary');
  }

  /** Totals and `events`: event id → [calls answered 2xx, calls failed]. */
  counts() {
    return this.call('GET', 'counts');
  }

  reset() {
    return this.call('POST', 'reset');
  }

  async call(method, path, body) {
    const response = await fetch(`${this.control}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`downstream ${method} ${path}: ${response.status}`);
    return response.json();
  }
}
