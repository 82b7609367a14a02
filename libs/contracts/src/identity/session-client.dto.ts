import { IsIP, IsOptional, IsString, MaxLength, NotContains } from 'class-validator';

/** Longer `User-Agent` headers are cut to this before they travel: enough to tell devices apart. */
export const USER_AGENT_MAX_LENGTH = 256;

/** The longest textual IPv6 address (IPv4-mapped); a scoped one with a long zone is not stored. */
export const IP_MAX_LENGTH = 45;

/** The device a session was signed in from, as the gateway saw it; both optional, since other callers may not know. */
export class SessionClientDto {
  @IsOptional()
  @IsString()
  @MaxLength(USER_AGENT_MAX_LENGTH)
  // PostgreSQL text cannot hold NUL.
  @NotContains('\u0000', { message: 'userAgent must not contain NUL characters' })
  userAgent?: string;

  @IsOptional()
  @IsIP()
  @MaxLength(IP_MAX_LENGTH)
  ip?: string;
}
