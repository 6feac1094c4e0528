// The comparison the drain benchmark makes with the standard library: a consumer built on
// `sqs-consumer` as its README shows it, POSTing each message body to the downstream and
// returning the message so the library deletes it. BATCH_SIZE unset means its defaults.
//
//   SQS_ENDPOINT=… QUEUE_URL=… DOWNSTREAM_URL=… [BATCH_SIZE=10] \
//     node bench/servers/sqs-consumer-drain.mjs
//
// Prints {"ready": true} once the consumer has started.
import { SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';

const { SQS_ENDPOINT, QUEUE_URL, DOWNSTREAM_URL, BATCH_SIZE } = process.env;

const consumer = Consumer.create({
  queueUrl: QUEUE_URL,
  sqs: new SQSClient({ region: 'us-east-1', endpoint: SQS_ENDPOINT, useQueueUrlAsEndpoint: false }),
  messageAttributeNames: ['event_id'],
  ...(BATCH_SIZE ? { batchSize: Number(BATCH_SIZE) } : {}),
  handleMessage: async (message) => {
    const response = await fetch(DOWNSTREAM_URL, {
      method: 'POST',
      body: message.Body,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': message.MessageAttributes?.event_id?.StringValue ?? message.MessageId,
      },
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`downstream answered ${response.status}`);
    return message;
  },
});
consumer.on('error', (error) => process.stderr.write(`sqs-consumer error: ${error.message}\n`));
consumer.on('processing_error', (error) => {
  process.stderr.write(`sqs-consumer processing error: ${error.message}\n`);
});
consumer.start();
process.stdout.write(`${JSON.stringify({ ready: true, batchSize: BATCH_SIZE ?? 'default' })}\n`);

function stop() {
  consumer.stop({ abort: true });
  setTimeout(() => process.exit(0), 200);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
