import { PassThrough } from 'node:stream';
import { createLogger } from '../src';

describe('createLogger', () => {
  it('writes one JSON object per line with the service and the fields', () => {
    const stream = new PassThrough();
    const logger = createLogger({ service: 'receiver', level: 'info', stream });

    logger.info('webhook', { event_id: 'e1', duration_ms: 3 });
    logger.debug('hidden at info level');

    const lines = String(stream.read()).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info',
      message: 'webhook',
      service: 'receiver',
      event_id: 'e1',
      duration_ms: 3,
    });
  });
});
