// What the dashboard shows of each configured service, for the composition root to hand in as
// `DashboardDeps.services`: its runtime, what it depends on, and where a browser can reach it.
import type { Service } from '../../model/project.js';
import type { DashboardService } from './deps.js';

export function describeServices(services: Service[]): DashboardService[] {
  return services.map((service) => ({
    name: service.name,
    runtime: service.runtime,
    endpoints: endpointsOf(service),
    dependsOn: service.dependsOn.map((d) => d.service),
  }));
}

/**
 * The service's http readiness URL (its origin: the check's path is usually /healthz, not a
 * page), then each published host port not already covered, on the loopback.
 */
export function endpointsOf(service: Service): string[] {
  const urls: string[] = [];
  const check = service.ready.check;
  if (check.kind === 'http') {
    try {
      urls.push(`${new URL(check.url).origin}/`);
    } catch {
      // An unparsable URL was refused by the config already; nothing to link.
    }
  }
  // `ports` are host ports on every runtime (a container's published side included).
  for (const port of new Set(service.ports)) {
    const url = `http://127.0.0.1:${port}/`;
    const covered = urls.some((u) => {
      const parsed = new URL(u);
      return parsed.port === String(port) && ['127.0.0.1', 'localhost', '0.0.0.0'].includes(parsed.hostname);
    });
    if (!covered) urls.push(url);
  }
  return urls;
}
