import type { OpenAPIObject } from '@nestjs/swagger';
import { toOpenApi31 } from './openapi-3-1';

describe('toOpenApi31', () => {
  it('turns 3.0 `nullable` into 3.1 type arrays (and null in a nullable enum), a nullable reference into anyOf with null', () => {
    const document = {
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: { '/x': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'integer', nullable: true } }], responses: {} } } },
      components: {
        schemas: {
          A: {
            type: 'object',
            properties: {
              text: { type: 'string', nullable: true, example: 'x' },
              status: { type: 'string', enum: ['a', 'b'], nullable: true },
              ref: { allOf: [{ $ref: '#/components/schemas/B' }], nullable: true, description: 'the B' },
              plain: { type: 'string', nullable: false },
              nullable: { type: 'boolean' },
            },
          },
        },
      },
    } as unknown as OpenAPIObject;
    const converted = toOpenApi31(document) as unknown as {
      openapi: string;
      paths: Record<string, { get: { parameters: { schema: unknown }[] } }>;
      components: { schemas: Record<string, { properties: unknown }> };
    };
    expect(converted.openapi).toBe('3.1.0');
    expect(converted.paths['/x'].get.parameters[0].schema).toEqual({ type: ['integer', 'null'] });
    expect(converted.components.schemas.A.properties).toEqual({
      text: { type: ['string', 'null'], example: 'x' },
      status: { type: ['string', 'null'], enum: ['a', 'b', null] },
      ref: { description: 'the B', anyOf: [{ allOf: [{ $ref: '#/components/schemas/B' }] }, { type: 'null' }] },
      plain: { type: 'string' },
      nullable: { type: 'boolean' },
    });
    // The input is left as it was (the app builds the document once per request of /docs).
    expect((document.components?.schemas?.A as { properties: { text: object } }).properties.text).toEqual({ type: 'string', nullable: true, example: 'x' });
  });
});
