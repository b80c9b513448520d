// The run-time control API of a fleet (loopback HTTP + JSON).
export { startControlServer, type ControlServer } from './control-server.js';
