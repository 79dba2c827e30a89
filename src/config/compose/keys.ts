// Every key of the Compose specification, sorted by what pitstop does with it. A key pitstop maps
// is read by map-service.ts; a known key it does not support yet gets one warning naming it (it
// never passes in silence); a key Compose itself does not know is an error, as in Compose.

/** Service keys pitstop maps to its model (see map-service.ts), or consumes while loading. */
export const MAPPED_SERVICE_KEYS = [
  'build',
  'image',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'networks',
  'depends_on',
  'healthcheck',
  'restart',
  'working_dir',
  'user',
  'stop_signal',
  'stop_grace_period',
  'container_name',
  'extends',
  'profiles',
  'develop',
  'init',
  'pull_policy',
] as const;

/** Service keys of the Compose specification that pitstop does not support yet: one warning each. */
export const UNSUPPORTED_SERVICE_KEYS = [
  'annotations',
  'attach',
  'blkio_config',
  'cap_add',
  'cap_drop',
  'cgroup',
  'cgroup_parent',
  'configs',
  'cpu_count',
  'cpu_percent',
  'cpu_period',
  'cpu_quota',
  'cpu_rt_period',
  'cpu_rt_runtime',
  'cpu_shares',
  'cpus',
  'cpuset',
  'credential_spec',
  'deploy',
  'device_cgroup_rules',
  'devices',
  'dns',
  'dns_opt',
  'dns_search',
  'domainname',
  'external_links',
  'extra_hosts',
  'gpus',
  'group_add',
  'hostname',
  'ipc',
  'isolation',
  'label_file',
  'labels',
  'links',
  'logging',
  'mac_address',
  'mem_limit',
  'mem_reservation',
  'mem_swappiness',
  'memswap_limit',
  'models',
  'network_mode',
  'oom_kill_disable',
  'oom_score_adj',
  'pid',
  'pids_limit',
  'platform',
  'post_start',
  'pre_stop',
  'privileged',
  'provider',
  'pull_refresh_after',
  'read_only',
  'runtime',
  'scale',
  'secrets',
  'security_opt',
  'shm_size',
  'stdin_open',
  'storage_opt',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'use_api_socket',
  'userns_mode',
  'uts',
  'volumes_from',
] as const;

/** Top-level keys: mapped, or known and warned about. */
export const TOP_LEVEL_KEYS = ['name', 'services', 'volumes', 'networks', 'version'] as const;
export const UNSUPPORTED_TOP_LEVEL_KEYS = ['include', 'secrets', 'configs', 'models'] as const;

/** Sub-keys that are read, per section; other known sub-keys are warned about. */
export const BUILD_KEYS = ['context', 'dockerfile', 'args', 'target'] as const;
export const UNSUPPORTED_BUILD_KEYS = [
  'additional_contexts',
  'cache_from',
  'cache_to',
  'dockerfile_inline',
  'entitlements',
  'extra_hosts',
  'isolation',
  'labels',
  'network',
  'no_cache',
  'platforms',
  'privileged',
  'provenance',
  'pull',
  'sbom',
  'secrets',
  'shm_size',
  'ssh',
  'tags',
  'ulimits',
] as const;
export const HEALTHCHECK_KEYS = [
  'test',
  'interval',
  'timeout',
  'retries',
  'start_period',
  'start_interval',
  'disable',
] as const;
export const DEPENDS_ON_KEYS = ['condition', 'restart', 'required'] as const;
export const WATCH_KEYS = ['path', 'action', 'target', 'ignore', 'include', 'initial_sync', 'exec'] as const;
export const WATCH_EXEC_KEYS = ['command'] as const;
export const UNSUPPORTED_WATCH_EXEC_KEYS = ['user', 'privileged', 'working_dir', 'environment'] as const;
export const PORT_KEYS = [
  'target',
  'published',
  'host_ip',
  'protocol',
  'mode',
  'name',
  'app_protocol',
] as const;
export const VOLUME_KEYS = ['type', 'source', 'target', 'read_only', 'consistency'] as const;
export const UNSUPPORTED_VOLUME_KEYS = ['bind', 'volume', 'tmpfs', 'image'] as const;
/** A service's settings on one network: none is supported (one project network, by name). */
export const NETWORK_ATTACH_KEYS = [
  'aliases',
  'driver_opts',
  'gw_priority',
  'interface_name',
  'ipv4_address',
  'ipv6_address',
  'link_local_ips',
  'mac_address',
  'priority',
] as const;
export const TOP_VOLUME_KEYS = ['name', 'driver', 'driver_opts', 'external', 'labels'] as const;
export const WATCH_ACTIONS = ['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec'] as const;

export type KeyKind = 'read' | 'unsupported' | 'unknown';

/** What a key of a section is: read by pitstop, known but not supported yet, or not Compose at all. */
export function kindOf(key: string, read: readonly string[], unsupported: readonly string[] = []): KeyKind {
  if (key.startsWith('x-') || read.includes(key)) return 'read';
  return unsupported.includes(key) ? 'unsupported' : 'unknown';
}
