import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import request from 'supertest';
import { decodeEnvelope, envelopeBody, normalizeEvent } from '@webhook-dlq/payloads';
import { SqsQueue } from '@webhook-dlq/sqs';
import type { ReceiverSettings } from '../src/app';
import type { DlqSender } from '../src/ingest';
import { TestDownstream } from '../../../tools/testing/downstream';
import { startSqsServer } from '../../../tools/testing/sqs-server-process';
import { eventually, freshQueues, receiveAll, testSqsClient } from '../../../tools/testing/sqs-kit';
import {
  allSampleRequests,
  BARE_BODY_TOPIC,
  sampleBytes,
} from '../../../test-fixtures/genesys/samples';
import { TEST_API_KEY, TestReceiver } from './kit';

describe('receiver', () => {
  const client = testSqsClient();
  let downstream: TestDownstream;
  let dlq: SqsQueue;
  let receivers: TestReceiver[];

  /** The app for supertest; its log lines are in `logLines()`. */
  function app(overrides: Partial<ReceiverSettings> = {}, queue: DlqSender | null = dlq) {
    const receiver = new TestReceiver(downstream.url, { settings: overrides, dlq: queue });
    receivers.push(receiver);
    return receiver.app();
  }

  const logLines = () => receivers.flatMap((receiver) => receiver.lines);

  // superagent would turn a Buffer into JSON of its bytes; send the same bytes as text.
  const text = (body: Buffer | string) => (Buffer.isBuffer(body) ? body.toString('utf8') : body);

  /** A webhook POST with the test credentials; pass the app to use other settings. */
  function hook(target = app(), path = '/webhooks/genesys', type = 'application/json') {
    return request(target).post(path).set('content-type', type).set('x-api-key', TEST_API_KEY);
  }

  function post(body: Buffer | string, path = '/webhooks/genesys', type = 'application/json') {
    return hook(app(), path, type).send(text(body));
  }

  beforeEach(async () => {
    downstream = await TestDownstream.start();
    dlq = (await freshQueues(client)).dlq;
    receivers = [];
  });

  afterEach(async () => {
    await downstream.close();
  });

  it('forwards an event byte-identical and answers 200 when the downstream takes it', async () => {
    const body = sampleBytes('eventBridgeEnd');

    const response = await post(body);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'delivered',
      eventId: '58fb5dac-f077-4eec-a25f-c638dbdd4368',
    });
    expect(downstream.calls).toHaveLength(1);
    expect(downstream.calls[0].body.equals(body)).toBe(true);
    expect(downstream.calls[0].headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': '58fb5dac-f077-4eec-a25f-c638dbdd4368',
      'x-genesys-topic':
        'v2.detail.events.conversation.2f7bf00a-0fc2-4d6a-9b56-92238191433e.customer.end',
      'x-dlq-attempt': '1',
    });
    expect(await receiveAll(dlq)).toEqual([]);
  });

  it('stores every sample on the DLQ byte-identical with its identity while the downstream fails', async () => {
    downstream.respondWith(503);

    for (const sample of allSampleRequests()) {
      const path = sample.topic ? `/webhooks/genesys/${sample.topic}` : '/webhooks/genesys';
      const expected = normalizeEvent({
        body: sample.body,
        contentType: 'application/json',
        routeTopic: sample.topic,
      });

      const response = await post(sample.body, path);

      expect(response.status).toBe(202);
      expect(response.body).toEqual({ status: 'queued', eventId: expected.eventId });
    }

    const messages = await receiveAll(dlq);
    expect(messages).toHaveLength(allSampleRequests().length);
    for (const sample of allSampleRequests()) {
      const expected = normalizeEvent({
        body: sample.body,
        contentType: 'application/json',
        routeTopic: sample.topic,
      });
      const message = messages.find((m) => m.attributes.event_id === expected.eventId);
      const envelope = decodeEnvelope(message!.body);

      expect(envelopeBody(envelope).equals(sample.body)).toBe(true);
      expect(envelope).toMatchObject({
        eventId: expected.eventId,
        topic: expected.topic,
        contentType: 'application/json',
      });
      expect(envelope.attempts).toEqual([
        expect.objectContaining({
          attempt: 1,
          outcome: 'retryable',
          statusCode: 503,
          by: 'receiver',
        }),
      ]);
      expect(message!.attributes).toMatchObject({ topic: expected.topic, attempt: '1' });
    }
  });

  it('answers a genesys-admin probe 200 without forwarding or queueing it', async () => {
    downstream.respondWith(503);
    const body = JSON.stringify({ probe: true, sentBy: 'genesys-admin' });

    const byRoute = await post(body, '/webhooks/genesys/genesys-admin.probe');
    const byHeader = await hook().set('x-genesys-topic', 'genesys-admin.probe').send(body);

    for (const response of [byRoute, byHeader]) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'probe' });
    }
    expect(downstream.calls).toEqual([]);
    expect(await receiveAll(dlq)).toEqual([]);
    const lines = await eventually(
      () => logLines().map((line) => JSON.parse(line)),
      (all) => all.length >= 2,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ outcome: 'probe', topic: 'genesys-admin.probe', http_status: 200 }),
    );
  });

  it('hides a stored event for the first retry delay, or the downstream Retry-After', async () => {
    downstream.respondWith({ status: 503, headers: { 'retry-after': '30' } });
    await hook(app({ firstRetryDelaySeconds: 5 })).send(text(sampleBytes('eventBridgeEnd')));
    downstream.respondWith(503);
    await hook(app({ firstRetryDelaySeconds: 5 })).send(text(sampleBytes('eventBridgeStart')));

    expect(await dlq.depth()).toEqual({ visible: 0, inFlight: 0, delayed: 2 });
  });

  it('stores a downstream 4xx as permanent, for the worker to park without retrying', async () => {
    downstream.respondWith(422);

    const response = await post(sampleBytes('eventBridgeStart'));

    expect(response.status).toBe(202);
    const [message] = await receiveAll(dlq);
    expect(decodeEnvelope(message.body).attempts[0]).toMatchObject({
      outcome: 'permanent',
      statusCode: 422,
    });
  });

  it('stores an event whose downstream call timed out, with the timeout recorded', async () => {
    downstream.respondWith({ status: 200, delayMs: 1500 });

    const response = await hook(app({ downstreamTimeoutMs: 100 })).send(
      text(sampleBytes('eventBridgeEnd')),
    );

    expect(response.status).toBe(202);
    const [message] = await receiveAll(dlq);
    expect(decodeEnvelope(message.body).attempts[0]).toMatchObject({
      outcome: 'retryable',
      error: 'no answer within 100 ms',
    });
  });

  it('answers 503 with Retry-After and acknowledges nothing when SQS is unreachable', async () => {
    const server = await startSqsServer();
    const doomed = await freshQueues(testSqsClient(server.endpoint));
    await server.stop();
    downstream.respondWith(503);

    const response = await hook(app({}, doomed.dlq)).send(text(sampleBytes('eventBridgeEnd')));

    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body).toMatchObject({ error: 'unavailable' });
    const lines = await eventually(
      () => logLines().map((line) => JSON.parse(line)),
      (all) => all.length > 0,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        outcome: 'unstored',
        store_stage: 'dlq_send',
        http_status: 503,
      }),
    );
  });

  it('answers 503 while the DLQ is not resolved yet and the downstream fails', async () => {
    downstream.respondWith(500);

    const response = await hook(app({}, null)).send(text(sampleBytes('eventBridgeEnd')));

    expect(response.status).toBe(503);
    expect((await request(app({}, null)).get('/readyz')).status).toBe(503);
  });

  it('answers 413 naming the sizes when the envelope cannot fit on the queue', async () => {
    const name = `test-small-${Date.now()}`;
    await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const small = await SqsQueue.resolve(client, name);
    downstream.respondWith(503);

    const response = await hook(app({}, small)).send(text(sampleBytes('eventBridgeEnd')));

    expect(response.status).toBe(413);
    expect(response.body.error).toBe('envelope_too_large');
    expect(response.body.message).toMatch(/accepts 1024/);
    expect(await receiveAll(small)).toEqual([]);
  });

  describe('bad input gets a clear 4xx and is neither forwarded nor enqueued', () => {
    afterEach(async () => {
      expect(downstream.calls).toEqual([]);
      expect(await receiveAll(dlq)).toEqual([]);
    });

    it('malformed JSON → 400 invalid_json', async () => {
      const response = await post('{"topicName": "a", ');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: 'invalid_json' });
      expect(response.body.message).toMatch(/not valid JSON/);
    });

    it('a JSON array → 400 not_an_object', async () => {
      const response = await post('[{"topicName": "a"}]');
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('not_an_object');
    });

    it('a bare eventBody with no topic → 400 saying how to supply one', async () => {
      const response = await post(sampleBytes('bareEventBody'));
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('missing_topic');
      expect(response.body.message).toContain('x-genesys-topic');
    });

    it('an empty body → 400', async () => {
      const response = await hook();
      expect(response.status).toBe(400);
    });

    it('no body at all, not even Content-Length → 400, not 415', async () => {
      const response = await hook(app(), '/webhooks/genesys', 'application/json');
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_json');
    });

    it('JSON declared in another charset → 415', async () => {
      const response = await post('{}', '/webhooks/genesys', 'application/json; charset=utf-16');
      expect(response.status).toBe(415);
      expect(response.body.message).toContain('UTF-8');
    });

    it('an EventBridge id that cannot be a header → 400 invalid_identity', async () => {
      const envelope = JSON.parse(text(sampleBytes('eventBridgeEnd')));
      const response = await post(JSON.stringify({ ...envelope, id: 'a\r\nX-Evil: 1' }));
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_identity');
    });

    it('a body nested thousands of levels deep → 400 too_deep, not a 500', async () => {
      const deep = `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const response = await post(deep, '/webhooks/genesys/v2.x.y');
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('too_deep');
    });

    it('another method on the webhook path → JSON 405 with Allow: POST', async () => {
      const response = await request(app()).get('/webhooks/genesys');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body.error).toBe('method_not_allowed');
    });

    it('a form post → 415 naming the type', async () => {
      const response = await post('a=b', '/webhooks/genesys', 'application/x-www-form-urlencoded');
      expect(response.status).toBe(415);
      expect(response.body.message).toContain('application/x-www-form-urlencoded');
    });

    it('no content type → 415', async () => {
      const response = await hook().send('{}').unset('content-type');
      expect(response.status).toBe(415);
    });

    it('a body over the limit → 413', async () => {
      const response = await hook(app({ bodyLimitBytes: 100 })).send(
        text(sampleBytes('eventBridgeEnd')),
      );
      expect(response.status).toBe(413);
      expect(response.body).toMatchObject({ error: 'body_too_large' });
    });

    it('an unknown path → JSON 404', async () => {
      const response = await hook(app(), '/webhooks/other').send({});
      expect(response.status).toBe(404);
      expect(response.body.error).toBe('not_found');
    });
  });

  it('takes the topic of a bare body from the route, then the header, then DEFAULT_TOPIC', async () => {
    const body = sampleBytes('bareEventBody');

    await post(body, `/webhooks/genesys/${BARE_BODY_TOPIC}`);
    await hook().set('x-genesys-topic', 'from.header').send(text(body));
    await hook(app({ defaultTopic: 'from.default' })).send(text(body));

    expect(downstream.calls.map((call) => call.headers['x-genesys-topic'])).toEqual([
      BARE_BODY_TOPIC,
      'from.header',
      'from.default',
    ]);
  });

  it('accepts a JSON type with parameters and a +json type', async () => {
    const body = sampleBytes('eventBridgeEnd');
    expect((await post(body, '/webhooks/genesys', 'application/json; charset=utf-8')).status).toBe(
      200,
    );
    expect((await post(body, '/webhooks/genesys', 'application/cloudevents+json')).status).toBe(
      200,
    );
    expect(downstream.calls[1].headers['content-type']).toBe('application/cloudevents+json');
  });

  it('reports alive and ready', async () => {
    expect((await request(app()).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app()).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });

  it('writes one JSON log line per webhook with snake_case fields and no body', async () => {
    downstream.respondWith(503);
    await post(sampleBytes('bareEventBody'), `/webhooks/genesys/${BARE_BODY_TOPIC}`);

    const webhookLines = await eventually(
      () =>
        logLines()
          .map((line) => JSON.parse(line))
          .filter((l) => l.message === 'webhook'),
      (lines) => lines.length > 0,
    );
    expect(webhookLines).toHaveLength(1);
    expect(webhookLines[0]).toMatchObject({
      outcome: 'queued',
      topic: BARE_BODY_TOPIC,
      attempt: 1,
      status_code: 503,
      http_status: 202,
    });
    expect(typeof webhookLines[0].duration_ms).toBe('number');
    expect(logLines().join('\n')).not.toMatch(/callbackNumbers|8675309|addressFrom/);
  });
});
