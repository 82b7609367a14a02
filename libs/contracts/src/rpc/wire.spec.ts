import { decodeCallMetadata, encodeCallMetadata, type WireMetadata } from './wire.js';

describe('encodeCallMetadata', () => {
  it('puts the correlation id and the deadline on the wire as strings', () => {
    expect(encodeCallMetadata({ requestId: 'r-1', deadline: 1_800_000_000_123 })).toEqual({ requestId: 'r-1', deadline: '1800000000123' });
  });

  it('leaves out what the call does not have', () => {
    expect(encodeCallMetadata({})).toEqual({});
    expect(encodeCallMetadata({ requestId: 'r-1' })).toEqual({ requestId: 'r-1' });
    expect(encodeCallMetadata({ deadline: 0 })).toEqual({ deadline: '0' });
  });
});

describe('decodeCallMetadata', () => {
  it('reads back what was encoded', () => {
    const call = { requestId: 'r-1', deadline: 1_800_000_000_123 };
    expect(decodeCallMetadata(encodeCallMetadata(call))).toEqual(call);
  });

  it('has nothing when the peer sent nothing', () => {
    expect(decodeCallMetadata(undefined)).toEqual({ requestId: undefined, deadline: undefined });
    expect(decodeCallMetadata({})).toEqual({ requestId: undefined, deadline: undefined });
  });

  it('ignores keys it does not know', () => {
    expect(decodeCallMetadata({ requestId: 'r-1', traceparent: '00-abc-def-01' })).toEqual({ requestId: 'r-1', deadline: undefined });
  });

  it.each(['soon', 'NaN', 'Infinity', '-Infinity', '1e400', '12:00', '1800000000123ms'])(
    'treats the malformed deadline %p as absent',
    (deadline) => {
      expect(decodeCallMetadata({ requestId: 'r-1', deadline })).toEqual({ requestId: 'r-1', deadline: undefined });
    },
  );

  it.each([42, { id: 'r-1' }, ['r-1']])('treats the non-string correlation id %p as absent', (requestId) => {
    expect(decodeCallMetadata({ requestId } as unknown as WireMetadata).requestId).toBeUndefined();
  });

  it.each(['', ' ', null, 1800000000123])('treats the empty, null or non-string deadline %p as absent', (deadline) => {
    expect(decodeCallMetadata({ deadline } as unknown as WireMetadata).deadline).toBeUndefined();
  });
});
