export { RedfishSimServer, NO_REDFISH_FAULTS, type RedfishFaults, type RedfishSimCounters, type RedfishSimOptions } from './redfish-server.js';
export { RedfishView, sensorId, type SchemaGeneration } from './redfish-view.js';
export { makeSelfSignedCert, type SelfSignedCert } from './tls-cert.js';
