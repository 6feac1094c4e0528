// Turns a bench run's measurements into the Markdown tables of bench/RESULTS.md. Each figure is
// the median over the passes; each ratio is the median of the per-pass ratios, with their
// range when there was more than one pass.

export function formatReport({ machine, command, loadAtEnd, passes, receiver, drain, startup }) {
  const lines = [
    `Command: \`${command}\`; ${passes} pass${passes === 1 ? '' : 'es'}.`,
    '',
    wrap(
      `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGib} GiB, Node ` +
        `${machine.node}; commit ${machine.commit}; ${machine.date}. Shared: other ` +
        `engineers' builds and tests ran at the same time (load average ` +
        `${machine.loadAverage.join(' ')} at the start, ${loadAtEnd} at the end).`,
    ),
    '',
  ];
  if (receiver) lines.push(...receiverTables(receiver));
  if (drain) lines.push(...drainTable(drain));
  if (receiver || drain || startup) lines.push(...footprintTable({ receiver, drain, startup }));
  return lines.join('\n');
}

function receiverTables({ pairs, settings }) {
  const fixedLabel = `${settings.fixed.rate} req/s, ${settings.fixed.connections} connections`;
  const saturationLabel = `saturation, ${settings.saturation.connections} connections`;
  return [
    '### 1. Receiver, enqueue path (downstream answering 503, every event stored on the DLQ)',
    '',
    '| load | measure | receiver | bare Express handler (ceiling) | ratio |',
    '| --- | --- | --- | --- | --- |',
    ...pairRows(fixedLabel, pairs.enqueueFixed),
    ...pairRows(saturationLabel, pairs.enqueueSaturation),
    '',
    '### 2. Receiver, forward path (downstream answering 200)',
    '',
    '| load | measure | through the receiver | downstream called directly | ratio | added |',
    '| --- | --- | --- | --- | --- | --- |',
    ...pairRows(fixedLabel, pairs.forwardFixed, true),
    ...pairRows(saturationLabel, pairs.forwardSaturation, true),
    '',
    `Answers: enqueue path ${statusesOf(pairs.enqueueSaturation)}; forward path ` +
      `${statusesOf(pairs.forwardSaturation)} (saturation runs, receiver side).`,
    '',
  ];
}

function pairRows(label, runs, withAdded = false) {
  const measures = [
    ['req/s', (run) => run.requestsPerSecond, 0],
    ['p50 ms', (run) => run.p50Ms, 1],
    ['p99 ms', (run) => run.p99Ms, 1],
  ];
  return measures.map(([name, read, digits], index) => {
    const subject = median(runs.map((run) => read(run.subject)));
    const baseline = median(runs.map((run) => read(run.baseline)));
    const ratios = runs.map((run) => ratio(read(run.subject), read(run.baseline)));
    const cells = [index === 0 ? label : '', name, fixed(subject, digits), fixed(baseline, digits)];
    cells.push(spread(ratios));
    if (withAdded) cells.push(name === 'req/s' ? '' : `${fixed(subject - baseline, 1)} ms`);
    return `| ${cells.join(' | ')} |`;
  });
}

function statusesOf(runs) {
  const totals = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.subject.statuses)) {
      totals[status] = (totals[status] ?? 0) + count;
    }
  }
  const errors = runs.reduce((sum, run) => sum + run.subject.errors, 0);
  const parts = Object.entries(totals).map(([status, count]) => `${count} × ${status}`);
  if (errors > 0) parts.push(`${errors} errors`);
  return parts.join(', ');
}

function drainTable({ consumers, runs, events }) {
  const passes = runs.sqsConsumerDefaults.length;
  // Each consumer's run of a pass, and the ceiling run made right before it.
  const rateOf = (key, pairedWith, pass) =>
    key === 'ceiling'
      ? runs[pairedWith][pass].ceilingMessagesPerSecond
      : runs[key][pass].messagesPerSecond;
  const ratiosTo = (key, baselineKey) =>
    Array.from({ length: passes }, (_, pass) => {
      if (baselineKey === 'ceiling') {
        return ratio(rateOf(key, key, pass), runs[key][pass].ceilingMessagesPerSecond);
      }
      return ratio(rateOf(key, baselineKey, pass), rateOf(baselineKey, baselineKey, pass));
    });
  const rows = consumers.map((consumer) => {
    const { key } = consumer;
    const rate = median(runs[key].map((run) => run.messagesPerSecond));
    const calls = median(runs[key].map((run) => run.calls));
    const cell = (baselineKey) =>
      key === baselineKey ? 'itself' : spread(ratiosTo(key, baselineKey));
    return (
      `| ${consumer.label} | ${fixed(rate, 0)} | ${cell('ceiling')} | ` +
      `${cell('sqsConsumerDefaults')} | ${cell('sqsConsumerBatch10')} | ` +
      `${fixed(calls / events, 2)} |`
    );
  });
  return [
    `### 3. Worker drain (${events} messages preloaded, downstream answering 200)`,
    '',
    wrap(
      'The bare loop ran right before each other consumer; a ratio to it is to that run, and ' +
        'its msg/s is the median of all its runs.',
    ),
    '',
    '| consumer | msg/s | ratio to the bare loop (ceiling) | ratio to sqs-consumer defaults | ' +
      'ratio to sqs-consumer batchSize 10 | downstream calls per message |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

function footprintTable({ receiver, drain, startup }) {
  const rows = [];
  if (receiver) {
    const { receiver: app, bareExpress } = receiver.peakRssKib;
    rows.push(
      `| peak RSS, receiver through every receiver run above | ${mib(app)} MiB | ` +
        `${mib(bareExpress)} MiB (bare Express, same runs) | ${fixed(app / bareExpress, 2)} |`,
    );
  }
  if (drain) {
    const worker = median(drain.runs.worker1.map((run) => run.peakRssKib[0]));
    const loop = median(drain.runs.ceiling.map((run) => run.peakRssKib[0]));
    rows.push(
      `| peak RSS, dlq-worker × 1 draining | ${mib(worker)} MiB | ${mib(loop)} MiB ` +
        `(bare drain loop, same drain) | ${fixed(worker / loop, 2)} |`,
    );
  }
  if (startup) {
    const bare = median(startup.bareExpress);
    for (const [name, key] of [
      ['receiver', 'receiver'],
      ['dlq-worker', 'worker'],
    ]) {
      const readyMs = median(startup[key]);
      const ratios = startup[key].map((ms, n) => ratio(ms, startup.bareExpress[n]));
      rows.push(
        `| start to ready, ${name} (median of ${startup[key].length}) | ` +
          `${fixed(readyMs, 0)} ms | ${fixed(bare, 0)} ms (bare Express) | ${spread(ratios)} |`,
      );
    }
  }
  return [
    '### 4. Footprint',
    '',
    '| measure | app | baseline | ratio |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

function median(values) {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function ratio(value, baseline) {
  return baseline > 0 ? value / baseline : NaN;
}

/** The median ratio, and its range over the passes when there were several. */
function spread(ratios) {
  const finite = ratios.filter(Number.isFinite);
  if (finite.length === 0) return 'n/a';
  const middle = `${fixed(median(finite), 2)}×`;
  if (finite.length === 1) return middle;
  return `${middle} (${fixed(Math.min(...finite), 2)}–${fixed(Math.max(...finite), 2)})`;
}

function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function mib(kib) {
  return (kib / 1024).toFixed(0);
}

/** Prose wrapped at 92 columns, as the rest of RESULTS.md. */
function wrap(text, width = 92) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
