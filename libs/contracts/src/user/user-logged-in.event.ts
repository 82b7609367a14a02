import { IsISO8601, IsUUID } from 'class-validator';

/** Emitted by the gateway after a successful login; the user service records `at`. */
export class UserLoggedInEvent {
  @IsUUID()
  userId: string;

  @IsISO8601({ strict: true })
  at: string;
}
