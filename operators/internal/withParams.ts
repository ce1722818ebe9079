/** The binding a stage config ends up using. */
export function effectiveBinding(config: { binding?: object }, defaultBinding: object): Readonly<Record<string, number | undefined>> {
  return (config.binding ?? defaultBinding) as Readonly<Record<string, number | undefined>>;
}

/**
 * A stage config with extra default values merged in (they win over `config.params`), keeping
 * only the values the stage's binding can take: a composition's convenience values (a
 * negative prompt for every stage, the seed's fixed texture settings) apply where the workflow
 * exposes them and are left to the workflow's own values where it does not.
 */
export function withParams<C extends { binding?: object; params?: object }>(config: C, defaultBinding: object, extra: Record<string, unknown>): C {
  const binding = effectiveBinding(config, defaultBinding);
  const bound = Object.fromEntries(Object.entries(extra).filter(([k, v]) => v !== undefined && binding[k] !== undefined));
  return { ...config, params: { ...(config.params ?? {}), ...bound } };
}

/** Only the values the binding can take. */
export function boundOnly(config: { binding?: object }, defaultBinding: object, values: Record<string, unknown>): Record<string, unknown> {
  const binding = effectiveBinding(config, defaultBinding);
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== undefined && (k === 'image' || binding[k] !== undefined)));
}
