import { ConfigError, int, readConfig, sqsAndLoggingSpecs, str, url } from '../src';

const specs = {
  ...sqsAndLoggingSpecs,
  DOWNSTREAM_URL: url(),
  PORT: int({ min: 1, max: 65535, default: 8080 }),
  NAME: str({ default: 'x' }),
};

describe('readConfig', () => {
  it('applies defaults', () => {
    const config = readConfig(specs, { DOWNSTREAM_URL: 'http://127.0.0.1:1/' });
    expect(config).toMatchObject({
      PORT: 8080,
      AWS_REGION: 'us-east-1',
      DLQ_QUEUE_NAME: 'genesys-webhook-dlq',
      LOG_LEVEL: 'info',
    });
    expect(config.SQS_ENDPOINT).toBeUndefined();
  });

  it('names every missing or invalid variable in one error', () => {
    let error: unknown;
    try {
      readConfig(specs, { PORT: '70000', LOG_LEVEL: 'loud', SQS_ENDPOINT: 'not a url' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(Object.keys(problems).sort()).toEqual(
      ['DOWNSTREAM_URL', 'LOG_LEVEL', 'PORT', 'SQS_ENDPOINT'].sort(),
    );
    expect(problems.DOWNSTREAM_URL).toBe('is required and not set');
    expect(problems.PORT).toContain('from 1 to 65535');
    expect(message).toContain('LOG_LEVEL is invalid');
  });

  it.each(['1.5', '-1', 'abc', ''])('refuses %j as a whole number', (value) => {
    expect(() => readConfig({ N: int({ min: 0 }) }, { N: value })).toThrow(ConfigError);
  });
});
