// What a result was measured on. Load averages are recorded because the machines this runs on
// are shared: other jobs' load is part of the conditions of a run.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { REPO_ROOT } from './children.mjs';

export function describeMachine() {
  const model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const memoryGib = Math.round(totalmem() / 2 ** 30);
  const load = loadavg().map((value) => value.toFixed(1));
  const machine = {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpu: model,
    memoryGib,
    node: process.version,
    commit: gitCommit(),
    loadAverage: load,
  };
  machine.summary =
    `${machine.cores} cores (${model}), ${memoryGib} GiB, Node ${machine.node}, ` +
    `commit ${machine.commit}, load average ${load.join(' ')}, ${machine.date}`;
  return machine;
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps', 'libs'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${commit} (apps or libs changed since)` : commit;
  } catch {
    return 'unknown';
  }
}

/** Current load averages (1, 5, 15 min), for noting how busy the machine was around a step. */
export function loadNow() {
  return loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
}
