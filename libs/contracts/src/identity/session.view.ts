import { ApiProperty } from '@nestjs/swagger';

/** One active session (a signed-in device) as its user sees it in GET /sessions. */
export class SessionView {
  @ApiProperty({ format: 'uuid', description: 'The `sid` of the access tokens this session was given.' })
  id: string;

  @ApiProperty({ format: 'date-time', description: 'When it signed in (register or login).' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', description: 'Its sign-in or its last refresh, whichever came last.' })
  lastUsedAt: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Mozilla/5.0 (X11; Linux x86_64) …',
    description: 'As last seen, cut to 256 characters.',
  })
  userAgent: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '203.0.113.7',
    description: 'Client IP as last seen (behind a proxy only with TRUST_PROXY).',
  })
  ip: string | null;

  @ApiProperty({ description: 'True for the session of the access token that asked.' })
  current: boolean;
}
