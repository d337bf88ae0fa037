import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { RouteSpec } from '../../model/routes.ts';
import { ErrorBodySchema } from '../../model/wire-protocol.ts';
import { HttpError } from '../http-errors.ts';

/** The app as routes see it: request and response types come from the model's zod schemas. */
export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** Every error answer, from every route, is an ErrorBody (docs/protocol.md §8). */
const ERROR_RESPONSES = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } as const;

type Part<R, K extends string> = R extends { readonly [P in K]: infer S extends z.ZodType } ? S : undefined;

/** A route's Fastify schema, taken from the model's route table. */
export interface RouteSchema<R extends RouteSpec> {
  params: Part<R, 'params'>;
  querystring: Part<R, 'querystring'>;
  body: Part<R, 'body'>;
  response: Part<R, 'response'> extends z.ZodType ? { 200: Part<R, 'response'> } & typeof ERROR_RESPONSES : typeof ERROR_RESPONSES;
}

/** The request and response schemas of a route of the model's table, as Fastify takes them. */
export function routeSchema<R extends RouteSpec>(route: R): RouteSchema<R> {
  // Fastify warns about a schema part that is present but undefined, so absent parts are left out.
  const schema: Record<string, unknown> = { response: route.response ? { 200: route.response, ...ERROR_RESPONSES } : ERROR_RESPONSES };
  if (route.params) schema.params = route.params;
  if (route.querystring) schema.querystring = route.querystring;
  if (route.body) schema.body = route.body;
  return schema as unknown as RouteSchema<R>;
}

/**
 * A preValidation hook refusing query numbers written other than in plain decimal digits. The wire schema
 * coerces (`Number()`), which would read `0x10` as 16, `1e2` as 100 and ` 10 ` as 10 (docs/protocol.md §3).
 */
export function plainIntegers(names: readonly string[]): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    for (const name of names) {
      const value = query?.[name];
      if (value !== undefined && !(typeof value === 'string' && /^[1-9]\d{0,8}$/.test(value))) throw new HttpError(400, 'VALIDATION_FAILED', { fields: name });
    }
  };
}
