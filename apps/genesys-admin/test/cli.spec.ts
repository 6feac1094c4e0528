import { buildCli } from '../src/cli';
import { freshQueues, LOCAL_CREDENTIALS, testSqsClient, testSqsEndpoint } from '../../../tools/testing/sqs-kit';

describe('genesys-admin dlq stats', () => {
  // The AWS SDK reads credentials from the process environment itself.
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  });

  afterAll(() => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it('reports depth of both queues as JSON', async () => {
    const { dlq, dlqName, parkedName } = await freshQueues(testSqsClient());
    await dlq.send({ body: 'a' });
    await dlq.send({ body: 'b', delaySeconds: 60 });
    const lines: string[] = [];

    await buildCli(
      {
        out: (text) => lines.push(text),
        env: {
          SQS_ENDPOINT: testSqsEndpoint(),
          DLQ_QUEUE_NAME: dlqName,
          PARKING_QUEUE_NAME: parkedName,
        },
      },
      'test',
    ).parseAsync(['node', 'genesys-admin', 'dlq', 'stats', '--json']);

    expect(JSON.parse(lines[0])).toEqual({
      dlq: { visible: 1, inFlight: 0, delayed: 1 },
      parked: { visible: 0, inFlight: 0, delayed: 0 },
    });
  });
});
