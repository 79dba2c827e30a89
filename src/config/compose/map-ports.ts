// `ports` → published ports. Short syntax `[HOST_IP:][HOST:]CONTAINER[/PROTOCOL]` with ranges
// (`8000-8001:8000-8001` expands), or the long syntax. pitstop publishes a fixed host port over
// TCP, on the host address given (a database kept to 127.0.0.1 stays there) or on all of them: a
// port without a host port (Compose picks a random one) or a UDP port is said once each, and the
// rest still runs.
import type { KeyPath } from '../yaml-source.js';
import { describeInput } from '../zod-issues.js';
import { PORT_KEYS } from './keys.js';
import { child, isMap, items, type Node } from './located.js';
import type { ServiceScope } from './scope.js';

export interface MappedPort {
  host: number;
  container: number;
  /** Only when one address is asked for; absent means all addresses. */
  hostIp?: string;
  rel: KeyPath;
}

interface Written {
  hostIp: string;
  host: string;
  container: string;
  protocol: string;
}

const ALL_ADDRESSES = new Set(['', '0.0.0.0', '::', '[::]']);

/** `a` or `a-b` → the ports, or undefined when not a valid port or range. */
function range(text: string): number[] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (from < 1 || to > 65535 || to < from) return undefined;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function parseShort(text: string): Written {
  let rest = text.trim();
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let hostIp = '';
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1]!;
    rest = v6[2]!;
  } else if (rest.split(':').length > 2) {
    hostIp = rest.slice(0, rest.indexOf(':'));
    rest = rest.slice(rest.indexOf(':') + 1);
  }
  const colon = rest.lastIndexOf(':');
  return colon < 0
    ? { hostIp, host: '', container: rest, protocol }
    : { hostIp, host: rest.slice(0, colon), container: rest.slice(colon + 1), protocol };
}

function parseLong(scope: ServiceScope, entry: Node, rel: KeyPath): Written | undefined {
  scope.checkKeys(entry, rel, PORT_KEYS);
  const field = (key: string) => scope.text(child(entry, key), [...rel, key]);
  const container = field('target');
  if (container === undefined) {
    scope.error(rel, 'missing required key "target"', {
      at: 'key',
      hint: 'target is the port inside the container',
    });
    return undefined;
  }
  return {
    hostIp: field('host_ip') ?? '',
    host: field('published') ?? '',
    container,
    protocol: field('protocol') ?? 'tcp',
  };
}

export function mapPorts(scope: ServiceScope): MappedPort[] {
  const written = child(scope.node, 'ports');
  if (!written || written.value === null) return [];
  if (!Array.isArray(written.value)) {
    scope.error(['ports'], `expected a list of ports, got ${describeInput(written.value)}`);
    return [];
  }
  const out: MappedPort[] = [];
  items(written).forEach((entry, i) => {
    const rel = ['ports', i];
    let port: Written | undefined;
    if (typeof entry.value === 'number' || typeof entry.value === 'string')
      port = parseShort(String(entry.value));
    else if (isMap(entry.value)) port = parseLong(scope, entry, rel);
    else
      scope.error(
        rel,
        `expected a port like "8080:80" or a map with "target", got ${describeInput(entry.value)}`,
      );
    if (port)
      out.push(...resolvePort(scope, port, rel, String(typeof entry.value === 'object' ? '' : entry.value)));
  });
  return out;
}

function resolvePort(scope: ServiceScope, port: Written, rel: KeyPath, shown: string): MappedPort[] {
  const containers = range(port.container);
  const hosts = port.host === '' ? [] : range(port.host);
  if (!containers || !hosts) {
    scope.error(rel, `invalid port "${shown || (port.host ? `${port.host}:` : '') + port.container}"`, {
      hint: 'ports are 1-65535: e.g. "8080:80", "127.0.0.1:8080:80", "8000-8001:8000-8001"',
    });
    return [];
  }
  if (port.protocol !== 'tcp') {
    scope.warn(rel, `${port.protocol} ports are not supported by pitstop yet (not published)`);
    return [];
  }
  if (hosts.length === 0) {
    scope.warn(
      rel,
      'no host port: Compose would pick a random one, pitstop needs a fixed host port (not published); write "HOST:CONTAINER"',
    );
    return [];
  }
  if (hosts.length !== containers.length) {
    scope.warn(
      rel,
      'a host port range for one container port is not supported by pitstop yet (not published)',
    );
    return [];
  }
  // Docker's HostIp takes IPv6 addresses without brackets.
  const hostIp = ALL_ADDRESSES.has(port.hostIp) ? undefined : port.hostIp.replace(/^\[(.*)\]$/, '$1');
  return containers.map((container, i) => ({
    host: hosts[i]!,
    container,
    rel,
    ...(hostIp ? { hostIp } : {}),
  }));
}
