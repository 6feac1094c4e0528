// The ceiling of the drain benchmark: the least a consumer can do on the same SQS server —
// receive 10, POST each body to the downstream at once, delete the 10 in one batch call —
// in LOOPS concurrent loops. No retries, no envelope, no settling rules.
//
//   SQS_ENDPOINT=… QUEUE_URL=… DOWNSTREAM_URL=… LOOPS=8 node bench/servers/drain-loop.mjs
//
// Prints {"ready": true} once its loops are polling.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const { SQS_ENDPOINT, QUEUE_URL, DOWNSTREAM_URL } = process.env;
const LOOPS = Number(process.env.LOOPS ?? 8);

const client = new SQSClient({
  region: 'us-east-1',
  endpoint: SQS_ENDPOINT,
  useQueueUrlAsEndpoint: false,
});
let stopping = false;

async function deliver(message) {
  const response = await fetch(DOWNSTREAM_URL, {
    method: 'POST',
    body: message.Body,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': message.MessageAttributes?.event_id?.StringValue ?? message.MessageId,
    },
  });
  await response.arrayBuffer();
  return response.ok;
}

async function loop() {
  while (!stopping) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: QUEUE_URL,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 20,
        MessageAttributeNames: ['event_id'],
      }),
    );
    if (Messages.length === 0) continue;
    const delivered = await Promise.all(Messages.map(deliver));
    const entries = Messages.filter((_, index) => delivered[index]).map((message, index) => ({
      Id: String(index),
      ReceiptHandle: message.ReceiptHandle,
    }));
    if (entries.length > 0) {
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: entries }));
    }
  }
}

const loops = Array.from({ length: LOOPS }, loop);
process.stdout.write(`${JSON.stringify({ ready: true, loops: LOOPS })}\n`);

function stop() {
  stopping = true;
  // A loop may be in a 20 s long poll; nothing is held that matters once the drain is over.
  Promise.race([
    Promise.allSettled(loops),
    new Promise((resolve) => setTimeout(resolve, 500)),
  ]).then(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
