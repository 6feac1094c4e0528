// Where a running `npm start` tells `npm run demo` how to reach its parts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STATE_FILE = join(tmpdir(), 'genesys-webhook-dlq-local.json');

/** The state of a launcher that is still running, or `undefined`. */
export function readLiveState() {
  let state;
  try {
    state = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
  return isAlive(state.pid) ? state : undefined;
}

export function writeState(state) {
  writeFileSync(STATE_FILE, `${JSON.stringify({ pid: process.pid, ...state }, null, 2)}\n`);
}

/** Removes the file if this process wrote it; another launcher's file is left alone. */
export function removeOwnState() {
  try {
    const { pid } = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
    if (pid === process.pid) rmSync(STATE_FILE, { force: true });
  } catch {
    // Missing or unreadable: nothing of ours to remove.
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error.code === 'EPERM';
  }
}
