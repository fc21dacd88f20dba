import assert from 'node:assert/strict';
import { decodePageToken, encodePageToken } from '../../../src/core/search/pageToken';
import { TrackingError } from '../../../src/core/store/trackingError';

function errorOf(token: string): string {
  try {
    decodePageToken(token);
  } catch (e) {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(token)} to be rejected`);
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('page tokens', () => {
  it("encodes exactly as MLflow does (base64 of json.dumps({'offset': N}))", () => {
    assert.equal(encodePageToken(2), 'eyJvZmZzZXQiOiAyfQ==');
    assert.equal(Buffer.from(encodePageToken(1000), 'base64').toString(), '{"offset": 1000}');
  });

  it('decodes MLflow tokens and round-trips', () => {
    assert.equal(decodePageToken('eyJvZmZzZXQiOiAyfQ=='), 2);
    for (const offset of [1, 7, 1000, 50_000, 123_456_789]) assert.equal(decodePageToken(encodePageToken(offset)), offset);
  });

  it('is 0 without a token', () => {
    assert.equal(decodePageToken(undefined), 0);
    assert.equal(decodePageToken(''), 0);
  });

  it('accepts what Python accepts: string offsets, and characters outside the alphabet dropped', () => {
    assert.equal(decodePageToken(base64('{"offset": "12"}')), 12);
    assert.equal(decodePageToken(`${encodePageToken(5)}\n`), 5);
  });

  it("rejects garbage with MLflow's messages", () => {
    assert.equal(errorOf('garbage!!'), 'Invalid page token, could not base64-decode');
    assert.equal(errorOf('abcde'), 'Invalid page token, could not base64-decode');
    assert.equal(errorOf('eyJvZmZzZXQiOiAyfQ'), 'Invalid page token, could not base64-decode');
    assert.equal(errorOf(base64('not json')), "Invalid page token, decoded value=b'not json'");
    assert.equal(errorOf(base64('{"offset": 2')), `Invalid page token, decoded value=b'{"offset": 2'`);
    assert.equal(errorOf(base64('{"foo": 1}')), "Invalid page token, parsed value={'foo': 1}");
    assert.equal(errorOf(base64('{"offset": 0}')), "Invalid page token, parsed value={'offset': 0}");
    assert.equal(errorOf(base64('{"offset": "abc"}')), "Invalid page token, not stringable 'abc'");
  });

  it('rejects a negative offset', () => {
    assert.equal(errorOf(base64('{"offset": -5}')), "Invalid page token, parsed value={'offset': -5}");
  });
});
