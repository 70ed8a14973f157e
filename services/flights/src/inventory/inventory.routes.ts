import { InventoryCheck, InventoryCheckQuery } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import type { InventoryService } from './inventory.service.js';

export async function inventoryRoutes(app: App, { inventory }: { inventory: InventoryService }) {
  app.get(
    '/api/v1/admin/inventory/check',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['inventory'],
        summary: 'Check seat inventory invariants (all flights, or ?flightId=)',
        security: [{ bearerAuth: [] }],
        querystring: InventoryCheckQuery,
        response: { 200: InventoryCheck },
      },
    },
    (request) => inventory.check(request.query.flightId),
  );
}
