import { IntersectionType } from '@nestjs/swagger';
import { RefreshTokenDto } from './refresh-token.dto.js';
import { SessionClientDto } from './session-client.dto.js';

/** `identity.refresh` payload: the token, and the device presenting it (the session's last seen user agent and IP). */
export class RefreshSessionDto extends IntersectionType(RefreshTokenDto, SessionClientDto) {}
