import { ApiProperty } from '@nestjs/swagger';

/** A user as every caller outside the user service sees it: never the password hash. */
export class UserView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Alice', description: 'As spelled at registration.' })
  username: string;

  @ApiProperty({ type: String, nullable: true, example: 'alice@example.com' })
  email: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the current email was proven; null until then.' })
  emailVerifiedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;
}

/**
 * `user.register`, `user.verify_credentials` and `user.find_session_owner`:
 * the user a session is for, with how many times its password has changed.
 * Identity stores that count with each new session; a refresh whose session
 * began under an older count is refused, so a password change ends every
 * session it must even if identity missed the revocation sent with it.
 * A `UserView` with one more field, so that a gateway from before the count
 * still reads these replies during a rolling deploy.
 */
export interface SessionOwner extends UserView {
  credentialsVersion: number;
}
