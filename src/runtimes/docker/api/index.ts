// The Docker Engine API client: the only door from pitstop to a Docker daemon.
export {
  connectionError,
  DockerApiError,
  isConflict,
  isDockerApiError,
  isNotFound,
} from './api-error.js';
export { isDirectory, isSymlink, type PathStat, permissions } from './archive.js';
export type { AttachOptions, AttachStream } from './attach.js';
export {
  DockerClient,
  type DockerClientOptions,
  type HijackedConnection,
  MAX_API_VERSION,
  type RequestOptions,
} from './client.js';
export type { ContainerSpec, MountSpec, PortSpec, RestartPolicy } from './container-spec.js';
export type {
  ContainerInspect,
  ContainerSummary,
  LogOptions,
  WaitOptions,
  WaitResult,
} from './containers.js';
export { demuxFrames, type OutputLine, type OutputStream, outputLines } from './demux.js';
export { type DockerEndpoint, parseDockerHost, resolveDockerEndpoint } from './docker-host.js';
export type { ExecOptions, ExecResult } from './exec.js';
export type { LabelSelector } from './filters.js';
export type { BuildOptions, ImageInspect, ImageSummary } from './images.js';
export { jsonLines } from './json-lines.js';
export type { NetworkInspect } from './networks.js';
export type { DockerEvent, PingResult, SystemInfo, VersionInfo } from './system.js';
export { packBuffer, packFiles, type TarEntry } from './tar.js';
export type { VolumeInspect } from './volumes.js';
