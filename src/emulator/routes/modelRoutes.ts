import { toModelConfig } from '../defaultModels.js';
import type { EmulatorContext } from '../emulatorContext.js';
import type { EmulatorModel } from '../executor/types.js';
import { EmulatorHttpError } from '../errors/EmulatorHttpError.js';
import { json, type Route } from '../http/router.js';

const ORDER = ['default', 'type', 'base', 'name', 'format', 'size', 'created_at', 'updated_at', 'path'] as const;

/** `/api/v2/models/...` (read-only: the emulator's model list is fixed at start). */
export function modelRoutes(emu: EmulatorContext): Route[] {
  const P = '/api/v2/models';
  const all = () => [...emu.models.values()];
  return [
    {
      method: 'GET',
      path: `${P}/`,
      auth: 'user',
      handler: (ctx) => {
        const q = ctx.query;
        const bases = q.strings('base_models');
        const type = q.string('model_type');
        const name = q.string('model_name');
        const format = q.string('model_format');
        const orderBy = q.enum('order_by', ORDER) ?? 'name';
        const dir = q.enum('direction', ['ASC', 'DESC'] as const) ?? 'ASC';
        const rows = all().filter(
          (m) =>
            (bases.length === 0 || bases.includes(m.base)) &&
            (type === undefined || m.type === type) &&
            (name === undefined || m.name === name) &&
            (format === undefined || m.format === format),
        );
        const key = (m: EmulatorModel): string => {
          const c = toModelConfig(m);
          switch (orderBy) {
            case 'type':
            case 'base':
            case 'name':
            case 'format':
            case 'path':
              return String(c[orderBy]).toLowerCase();
            case 'size':
              return String(c.file_size).padStart(20, '0');
            default:
              return `${m.base}\0${m.type}\0${m.name.toLowerCase()}`;
          }
        };
        rows.sort((a, b) => key(a).localeCompare(key(b)));
        if (dir === 'DESC') rows.reverse();
        return json({ models: rows.map(toModelConfig) });
      },
    },
    {
      method: 'GET',
      path: `${P}/get_by_attrs`,
      auth: 'user',
      handler: (ctx) => {
        const name = ctx.query.string('name', true);
        const type = ctx.query.string('type', true);
        const base = ctx.query.string('base', true);
        const m = all().find((x) => x.name === name && x.type === type && x.base === base);
        if (!m) throw new EmulatorHttpError(404, 'No model found with these attributes');
        return json(toModelConfig(m));
      },
    },
    {
      method: 'GET',
      path: `${P}/get_by_hash`,
      auth: 'user',
      handler: (ctx) => {
        const hash = ctx.query.string('hash', true);
        const m = all().find((x) => x.hash === hash);
        if (!m) throw new EmulatorHttpError(404, 'No model found with this hash');
        return json(toModelConfig(m));
      },
    },
    { method: 'GET', path: `${P}/missing`, auth: 'user', handler: () => json({ models: [] }) },
    {
      method: 'GET',
      path: `${P}/i/{key}`,
      auth: 'user',
      handler: (ctx) => {
        const m = emu.models.get(ctx.params.key!);
        if (!m) throw new EmulatorHttpError(404, 'model not found');
        return json(toModelConfig(m));
      },
    },
  ];
}
