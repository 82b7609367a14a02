import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '#contracts/errors';

/** The contract's error body, for the OpenAPI document. */
export class ErrorBody {
  @ApiProperty({ example: 409 })
  statusCode: number;

  @ApiProperty({ example: 'Conflict' })
  error: string;

  @ApiProperty({ enum: Object.values(ErrorCode), example: ErrorCode.UsernameTaken })
  code: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  message: string | string[];
}

export function ApiErrorResponses(...statuses: number[]): MethodDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, type: ErrorBody, description: STATUS_CODES[status] })));
}

/** The error responses of a route by their codes: grouped by status, each status listing its codes. */
export function ApiErrorCodes(...codes: ErrorCode[]): MethodDecorator {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ...[...byStatus].map(([status, list]) =>
      ApiResponse({ status, type: ErrorBody, description: `${STATUS_CODES[status]}: ${list.map((code) => `\`${code}\``).join(', ')}` }),
    ),
  );
}
