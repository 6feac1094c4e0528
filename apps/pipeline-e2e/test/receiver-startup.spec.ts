import { AppProcess } from '../../../tools/testing/app-process';
import { freePort } from '../../../tools/testing/free-port';
import { eventually, LOCAL_CREDENTIALS, testSqsEndpoint } from '../../../tools/testing/sqs-kit';

jest.setTimeout(30_000);

describe('the built receiver at start-up', () => {
  const env = () => ({
    SQS_ENDPOINT: testSqsEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DOWNSTREAM_URL: 'http://127.0.0.1:9/events',
    HOST: '127.0.0.1',
    METRICS_PORT: '0',
  });

  it('refuses to start with no caller authentication, naming the variables', async () => {
    const receiver = AppProcess.start('receiver', { ...env(), PORT: String(await freePort()) });

    expect(await receiver.exitCode()).toBe(1);
    const [line] = receiver.logs();
    expect(line).toMatchObject({ level: 'error', service: 'receiver' });
    expect(String(line.message)).toMatch(/AUTH_API_KEYS.*AUTH_DISABLED=true/);
  });

  it('starts with AUTH_DISABLED=true and says callers are not authenticated', async () => {
    const port = await freePort();
    const receiver = AppProcess.start('receiver', {
      ...env(),
      PORT: String(port),
      AUTH_DISABLED: 'true',
    });
    try {
      await receiver.waitUntilReady(`http://127.0.0.1:${port}/healthz`);
      const warning = await eventually(
        () => receiver.logs().find((line) => line.message === 'callers are not authenticated'),
        Boolean,
      );
      expect(warning).toMatchObject({ level: 'warn' });
    } finally {
      expect(await receiver.stop()).toBe(0);
    }
  });

  it('never writes a configured secret, even in the line naming a bad variable', async () => {
    const receiver = AppProcess.start('receiver', {
      ...env(),
      PORT: String(await freePort()),
      AUTH_BASIC_USERS: 'genesys:first-secret-pass,second-secret-pass',
      DOWNSTREAM_HEADERS: '{"Authorization":"Bearer downstream-secret"}',
    });

    expect(await receiver.exitCode()).toBe(1);
    expect(receiver.lines.join('\n')).toMatch(/AUTH_BASIC_USERS entry 2/);
    expect(receiver.lines.join('\n')).not.toMatch(/secret-pass|downstream-secret/);
  });
});
