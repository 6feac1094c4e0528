import { eventually, receiveAll } from '../../../tools/testing/sqs-kit';
import { BARE_BODY_TOPIC, sampleJson } from '../../../test-fixtures/genesys/samples';
import { Pipeline } from './pipeline-kit';

jest.setTimeout(90_000);

/** Fake personal data, distinctive enough that any trace of it in a log is found. */
const PERSONAL = {
  name: 'Quillon Farraday-Voss',
  email: 'q.farraday-voss@example.net',
  ani: 'tel:+13175550199',
  dnis: 'tel:+18885550142',
  address: '1428 Elmwood Crescent, Marrowby',
  callbackNumbers: ['+13175550123', '3175550124'],
  callbackUserName: 'Quillon F',
  subject: 'Refund for order Zanzibar-77',
};

/** Every value, and the fragments a partial leak would show. */
const NEEDLES = [
  ...Object.values(PERSONAL).flat(),
  'Quillon',
  'Farraday',
  'farraday-voss',
  'Elmwood',
  'Marrowby',
  'Zanzibar',
  '3175550199',
  '8885550142',
  '3175550123',
  '3175550124',
  '5550199',
  '5550142',
];

/** The personal fields of a Genesys conversation event, filled with the values above. */
const personalFields = {
  ani: PERSONAL.ani,
  dnis: PERSONAL.dnis,
  addressFrom: PERSONAL.email,
  addressTo: PERSONAL.address,
  callbackUserName: PERSONAL.callbackUserName,
  callbackNumbers: PERSONAL.callbackNumbers,
  subject: PERSONAL.subject,
  participants: [{ name: PERSONAL.name, email: PERSONAL.email, address: PERSONAL.address }],
};

/** The EventBridge sample with its own id and the personal fields in its eventBody. */
function eventBridge(id: string, pad = 0): string {
  const sample = sampleJson('eventBridgeEnd') as { detail: { eventBody: object } };
  const eventBody = { ...sample.detail.eventBody, ...personalFields };
  const padding = pad > 0 ? { transcript: `${PERSONAL.name}: ${'hello '.repeat(pad)}` } : {};
  const detail = { ...sample.detail, eventBody: { ...eventBody, ...padding } };
  return JSON.stringify({ ...sample, id, detail });
}

function notification(correlationId: string): string {
  const sample = sampleJson('eventBridgeEnd') as { detail: { eventBody: object } };
  const { detail } = sample;
  return JSON.stringify({
    ...detail,
    metadata: { CorrelationId: correlationId },
    eventBody: { ...detail.eventBody, ...personalFields },
  });
}

function bareBody(): string {
  const body = { ...sampleJson('bareEventBody'), ...personalFields, sessionId: 'privacy' };
  return JSON.stringify(body);
}

describe('privacy: no personal value reaches any log line of receiver or worker', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      receiver: { LOG_LEVEL: 'debug', DEDUP_WINDOW_SECONDS: '0' },
      worker: { LOG_LEVEL: 'debug' },
    });
  });

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('runs every path with personal data and finds none of it in the logs', async () => {
    const { downstream } = pipeline;
    const bad: Response[] = [];

    // Delivered by the receiver at once.
    downstream.respondWith(200);
    expect((await pipeline.post(eventBridge('privacy-delivered'))).status).toBe(200);

    // Refused input, unauthenticated callers and the probe.
    bad.push(await pipeline.post(`{"name": ${PERSONAL.name}, "ani": "${PERSONAL.ani}"`));
    bad.push(await pipeline.post(`{"x": 1} ${PERSONAL.email} ${PERSONAL.ani}`));
    bad.push(await pipeline.post(JSON.stringify({ 'detail-type': 'x', detail: personalFields })));
    bad.push(await pipeline.post(JSON.stringify(personalFields)));
    const stranger = { 'x-api-key': PERSONAL.ani };
    bad.push(await pipeline.post(eventBridge('privacy-401'), undefined, stranger));
    const text = { 'content-type': 'text/plain' };
    bad.push(await pipeline.post(eventBridge('privacy-415'), undefined, text));
    expect(bad.map((response) => response.status)).toEqual([400, 400, 400, 400, 401, 415]);
    const answers = await Promise.all(bad.map((response) => response.text()));

    // Queued while the downstream fails, retried by the worker, then delivered.
    downstream.respondWith(503);
    const queued = [
      await pipeline.post(eventBridge('privacy-queued')),
      await pipeline.post(notification('privacy-correlation')),
      await pipeline.post(bareBody(), `/webhooks/genesys/${BARE_BODY_TOPIC}`),
      await pipeline.post(eventBridge('privacy-large', 250_000)),
    ];
    expect(queued.map((response) => response.status)).toEqual([202, 202, 202, 202]);
    await eventually(
      () => downstream.calls.length,
      (n) => n >= 9,
      20_000,
    );
    downstream.respondWith(200);
    await eventually(
      () => pipeline.handled('delivered').length,
      (n) => n === 4,
      30_000,
    );

    // Refused by the downstream: parked.
    downstream.respondWith(422);
    expect((await pipeline.post(eventBridge('privacy-parked'))).status).toBe(202);
    const parked = () => receiveAll(pipeline.parked);
    await eventually(parked, (messages) => messages.length === 1, 20_000);

    // Stopping writes its lines too.
    await pipeline.stop();

    // The values did travel: to the downstream, and through S3 for the large event.
    expect(downstream.calls.some((call) => call.body.includes(PERSONAL.name))).toBe(true);
    const webhookLines = pipeline.receiver.logs().filter((l) => l.message === 'webhook');
    expect(webhookLines).toHaveLength(12);
    expect(webhookLines.some((line) => line.body_in_s3 === true)).toBe(true);

    const logs = [...pipeline.receiver.lines, ...pipeline.worker.lines].join('\n');
    const found = NEEDLES.filter((needle) => logs.toLowerCase().includes(needle.toLowerCase()));
    expect(found).toEqual([]);
    // What the receiver said back to the senders of refused bodies does not echo them either.
    const echoed = NEEDLES.filter((needle) => answers.join('\n').includes(needle));
    expect(echoed).toEqual([]);
  });
});
