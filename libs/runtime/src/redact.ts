/** What a masked value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Keys whose values are personal data or whole bodies wherever they appear, compared in
 * lower case with `_`, `-` and `.` removed. Genesys events carry names, phone numbers
 * (`ani`, `dnis`, `callbackNumbers`), addresses and emails under these names.
 */
const PERSONAL_KEYS = new Set([
  'name',
  'firstname',
  'lastname',
  'middlename',
  'fullname',
  'displayname',
  'remotename',
  'username',
  'callbackusername',
  'ani',
  'dnis',
  // Not a bare "address": operators log listen addresses under it; Genesys' addresses are
  // phone numbers and emails, which the text patterns mask anyway.
  'addressto',
  'addressfrom',
  'addressraw',
  'addressnormalized',
  'addressdisplayable',
  'street',
  'city',
  'postalcode',
  'callbacknumbers',
  'callbacknumber',
  'phone',
  'phonenumber',
  'email',
  'emailaddress',
  'subject',
  'body',
  'rawbody',
  'eventbody',
  'detail',
  'authorization',
  'password',
  'secret',
  'token',
  'apikey',
]);

/**
 * Patterns of personal data inside free text (error messages, SDK messages). Each is
 * replaced whole. Sizes, durations, ids and ISO times do not match.
 */
const TEXT_PATTERNS: RegExp[] = [
  // The excerpt V8 quotes from a body it could not parse as JSON.
  // It is not escaped, so it runs from the first quote after the comma to the last words.
  /(?<=, )".*?"(?:\.\.\.)? is not valid JSON/g,
  // "key": "value" of a personal key, as in a JSON fragment quoted in a message.
  new RegExp(
    '"(?:[a-z_]*name|ani|dnis|address\\w*|callback\\w*|phone\\w*|e-?mail\\w*)"\\s*:\\s*' +
      '(?:"(?:[^"\\\\]|\\\\.)*"|\\[[^\\]]*\\])',
    'gi',
  ),
  // Telephone and SIP addresses.
  /\b(?:tel|sips?|mailto):[^\s"',;<>]+/gi,
  // Email addresses.
  /[\w.%+-]+@[\w-]+(?:\.[\w-]+)+/g,
  // International numbers (+ then at least 7 digits, spaced or not).
  /\+\d[\d ().-]{5,}\d/g,
  // A bare run of 9 or more digits: a phone number, never a size or a duration here. One
  // after a colon is left alone: an AWS account id in an ARN.
  /(?<![\w.:-])\d{9,}(?![\w.-])/g,
];

/** Normalises a key for {@link PERSONAL_KEYS}. */
function keyOf(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, '');
}

function redactText(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  for (const pattern of TEXT_PATTERNS) result = result.replace(pattern, REDACTED);
  return result;
}

/**
 * The one redaction of this project, applied to every log line and to every error text
 * that could carry part of a body: values under personal keys are replaced, and phone
 * numbers, emails, SIP/tel addresses, quoted JSON excerpts and the given `secrets` are
 * masked inside strings. Objects and arrays are copied, never changed in place; errors
 * become their redacted `name: message`.
 */
export function redact<T>(value: T, secrets: readonly string[] = []): T {
  return redactValue(value, secrets, 0) as T;
}

function redactValue(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any log line of ours: mask rather than walk an unexpected structure.
  if (depth > 6) return REDACTED;

  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`, secrets);
  if (Buffer.isBuffer(value)) return REDACTED;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));

  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = PERSONAL_KEYS.has(keyOf(key)) ? REDACTED : redactValue(item, secrets, depth + 1);
  }
  return copy;
}
