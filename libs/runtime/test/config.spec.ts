import {
  ConfigError,
  headerMap,
  int,
  list,
  readConfig,
  sqsAndLoggingSpecs,
  str,
  url,
} from '../src';

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

describe('list and headerMap', () => {
  it('reads a comma-separated list, dropping blanks', () => {
    const config = readConfig({ KEYS: list() }, { KEYS: ' a, b ,,c ' });
    expect(config.KEYS).toEqual(['a', 'b', 'c']);
    expect(readConfig({ KEYS: list() }, {}).KEYS).toEqual([]);
  });

  it('reads headers as a JSON object, lower-casing the names', () => {
    const config = readConfig(
      { HEADERS: headerMap() },
      { HEADERS: '{"Authorization":"Bearer abc","X-Tenant":"t1"}' },
    );
    expect(config.HEADERS).toEqual({ authorization: 'Bearer abc', 'x-tenant': 't1' });
  });

  it.each([
    ['not JSON', 'Bearer abc'],
    ['an array', '["a"]'],
    ['a header the apps set', '{"Idempotency-Key":"x"}'],
    ['a bad name', '{"a b":"x"}'],
    ['a value on two lines', '{"a":"x\\ny"}'],
    ['a value that is not text', '{"a":1}'],
  ])('refuses %s without quoting the value', (_label, value) => {
    let error: unknown;
    try {
      readConfig({ HEADERS: headerMap() }, { HEADERS: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('Bearer abc');
    expect((error as Error).message).not.toMatch(/"x"|x\\ny/);
  });
});
