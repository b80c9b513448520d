// '@bmc-exporter/ipmi/address': target addresses (host:port parsing and
// canonical forms) without the rest of the library. For code that only reads
// addresses, such as the exporter's secrets-file parser, which runs in a worker
// thread of its own: the root export loads the whole client.
export { DEFAULT_IPMI_PORT, formatHostPort, parseHostPort, splitHostPort, type HostPort } from './transport/peer.js';
export { InvalidArgumentError } from './errors.js';
