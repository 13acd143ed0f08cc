// libvirt: the console of a domain. A subpath of its own, so the main entry does not load the
// XML parser (`@multiverse-os/serial/libvirt`).
export {
  type DomainConsole,
  type FindDomainConsoleOptions,
  findDomainConsole,
} from './domain-console.js';
