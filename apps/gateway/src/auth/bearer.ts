/** The scheme's name is case-insensitive (RFC 7235 §2.1), and one or more spaces may follow it. */
const BEARER = /^Bearer +([\w-]+\.[\w-]+\.[\w-]*)$/i;

/** The JWT an `Authorization` header carries as a bearer token, if it does. */
export function bearerTokenOf(authorization: string | undefined): string | undefined {
  return BEARER.exec(authorization ?? '')?.[1];
}

/**
 * `WWW-Authenticate` for a 401 UNAUTHORIZED (RFC 6750 §3): the scheme alone
 * when the request carried no bearer token, `invalid_token` when it carried
 * one that was refused (bad, expired, or its account gone).
 */
export function bearerChallenge(authorization: string | undefined): string {
  return bearerTokenOf(authorization) === undefined ? 'Bearer' : 'Bearer error="invalid_token"';
}
