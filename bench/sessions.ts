import type { AuthResponse } from '#contracts/identity';

export const PASSWORD = 'violet-Kettle-47-drift';

/** The address every account the benchmark registers has, if it has one. */
export const emailOf = (username: string): string => `${username}@example.com`;

/**
 * What earlier scenarios leave behind for later ones: accounts to log in
 * with, access tokens for GET /me, and refresh tokens not yet spent.
 */
export class Sessions {
  readonly usernames: string[] = [];
  readonly accessTokens: string[] = [];
  private readonly refreshTokens: string[] = [];
  private nextUser = 0;
  private nextAccess = 0;

  /** Keeps the tokens (and the account, if given) of a register/login/refresh answer. */
  add(body: string, username?: string): AuthResponse {
    const response = JSON.parse(body) as AuthResponse;
    if (username) this.usernames.push(username);
    this.accessTokens.push(response.accessToken);
    this.refreshTokens.push(response.refreshToken);
    return response;
  }

  user(): string {
    if (this.usernames.length === 0) throw new Error('no registered users to log in with');
    return this.usernames[this.nextUser++ % this.usernames.length];
  }

  accessToken(): string {
    if (this.accessTokens.length === 0) throw new Error('no access tokens');
    return this.accessTokens[this.nextAccess++ % this.accessTokens.length];
  }

  get unspentRefreshTokens(): number {
    return this.refreshTokens.length;
  }

  takeRefreshToken(): string | undefined {
    return this.refreshTokens.pop();
  }

  returnRefreshToken(token: string): void {
    this.refreshTokens.push(token);
  }
}
