import { bearerChallenge, bearerTokenOf } from './bearer.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

describe('bearerTokenOf', () => {
  it.each([`Bearer ${JWT}`, `bearer ${JWT}`, `BEARER ${JWT}`, `bEaReR ${JWT}`, `Bearer   ${JWT}`])(
    'reads the token whatever the case of the scheme (RFC 7235): %s',
    (header) => expect(bearerTokenOf(header)).toBe(JWT),
  );

  it.each([undefined, '', 'Bearer', `Bearer${JWT}`, `Basic ${JWT}`, `Bearer ${JWT} extra`, 'Bearer not-a-jwt', `Token ${JWT}`])(
    'finds no token in %p',
    (header) => expect(bearerTokenOf(header)).toBeUndefined(),
  );
});

describe('bearerChallenge', () => {
  it('names the scheme alone when no bearer token was sent, and invalid_token when one was refused (RFC 6750 §3)', () => {
    expect(bearerChallenge(undefined)).toBe('Bearer');
    expect(bearerChallenge('Basic YWxpY2U6eA==')).toBe('Bearer');
    expect(bearerChallenge(`bearer ${JWT}`)).toBe('Bearer error="invalid_token"');
  });
});
