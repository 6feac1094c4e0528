/**
 * Keys whose values are safe to show: identifiers, types, times and counts that Genesys
 * bodies carry and an operator needs to recognise an event. Every other text or number is
 * masked, because Genesys bodies carry names, phone numbers (`ani`, `dnis`,
 * `callbackNumbers`), addresses and free text under keys that vary by topic.
 */
const SAFE_KEYS = new Set([
  'id',
  'version',
  'detail-type',
  'source',
  'account',
  'time',
  'region',
  'topicName',
  'timestamp',
  'eventTime',
  'mediaType',
  'direction',
  'disconnectType',
  'messageType',
  'provider',
  'purpose',
  'state',
  'type',
  'status',
]);

/** Identifier, time and measure keys by their suffix: conversationId, startTime, durationMs. */
const SAFE_SUFFIXES = ['Id', 'Ids', 'Time', 'Timestamp', 'Ms', 'Seconds', 'Count'];

export const MASK = '«masked»';

function isSafeKey(key: string): boolean {
  return SAFE_KEYS.has(key) || SAFE_SUFFIXES.some((suffix) => key.endsWith(suffix));
}

/**
 * A copy of a JSON value with personal data masked: the structure and the safe fields stay,
 * every other string or number becomes {@link MASK}. Booleans and nulls stay.
 */
export function maskPersonalData(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskPersonalData(v, k)]),
    );
  }
  if (typeof value === 'string' || typeof value === 'number') {
    return isSafeKey(key) ? value : MASK;
  }
  return value;
}

/** A body as text for display: parsed and masked when it is JSON, else masked whole. */
export function showBody(text: string, unmasked: boolean): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return unmasked ? text : `${MASK} (${Buffer.byteLength(text)} bytes, not JSON)`;
  }
  return unmasked ? parsed : maskPersonalData(parsed);
}
