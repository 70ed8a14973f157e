import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '@aerofly/contracts';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { isConnectionError } from '../db/db.js';
import { AppError, type FieldError, statusByCode, titleByCode } from '../errors.js';

export const problemType = (code: ErrorCode) => `urn:aerofly:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** `/passengers/0/lastName` → `passengers[0].lastName` */
export function fieldFromPath(path: ReadonlyArray<PropertyKey> | string): string {
  const parts = typeof path === 'string' ? path.split('/').filter(Boolean) : path.map(String);
  return parts.reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part), '');
}

/** Turns anything thrown into an `AppError`: the one place that decides what a client sees. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const errors: FieldError[] = error.validation.map((issue) => ({
      field: fieldFromPath(issue.instancePath) || (context === 'body' ? '(body)' : (context ?? '(request)')),
      message: issue.message ?? 'is not valid',
    }));
    return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  if (error instanceof ZodError) {
    const errors = error.issues.map((issue) => ({ field: fieldFromPath(issue.path) || '(body)', message: issue.message }));
    return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  if (isConnectionError(error)) return new AppError('DEPENDENCY_UNAVAILABLE', 'A backing service is unreachable', { cause: error });
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fastifyError.statusCode === 413) {
    return new AppError('PAYLOAD_TOO_LARGE', undefined, { cause: error });
  }
  // The router refused the URL before any route ran.
  if (fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH') return new AppError('URI_TOO_LONG', undefined, { cause: error });
  if (fastifyError.code === 'FST_ERR_BAD_URL') {
    return new AppError('VALIDATION_FAILED', 'The URL is not valid', {
      errors: [{ field: '(url)', message: 'is not a valid URL' }],
      cause: error,
    });
  }
  if (fastifyError.code === 'FST_ERR_VALIDATION' || (fastifyError.code ?? '').startsWith('FST_ERR_CTP_')) {
    return new AppError('VALIDATION_FAILED', fastifyError.message ?? 'The request body is not valid', {
      errors: [{ field: '(body)', message: fastifyError.message ?? 'is not valid' }],
      cause: error,
    });
  }
  if (fastifyError.statusCode === 404) return new AppError('NOT_FOUND', undefined, { cause: error });
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500 && !isResponseSerializationError(error)) {
    return new AppError('VALIDATION_FAILED', fastifyError.message, { cause: error });
  }
  return new AppError('INTERNAL_ERROR', undefined, { cause: error });
}

export function problemBody(error: AppError, requestId: string) {
  return {
    type: problemType(error.code),
    title: titleByCode[error.code],
    status: statusByCode[error.code],
    detail: error.code === 'INTERNAL_ERROR' ? titleByCode.INTERNAL_ERROR : error.message,
    code: error.code,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, thrown: unknown) {
  const error = toAppError(thrown);
  if (error.status >= 500) {
    request.log.error({ err: thrown instanceof Error ? thrown : error, code: error.code }, 'request failed');
  } else {
    request.log.info({ code: error.code, status: error.status }, 'request refused');
  }
  for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
  return reply.status(error.status).type('application/problem+json').send(problemBody(error, request.id));
}

const clientErrorByParserCode: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, malformed
 * request line, too slow): answers those with problem+json too, then closes the connection.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex, log?: { debug(data: object, message: string): void }) {
  log?.debug({ err: error }, 'client error');
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const code = clientErrorByParserCode[error.code ?? ''];
  const problem = code ? new AppError(code) : new AppError('VALIDATION_FAILED', 'The request could not be read as HTTP');
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(problem, requestId));
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
