/** @keydepot/simulator: virtual depots. Built up by the simulator issue; for now its in-memory network. */
export { type Address, type DatagramEndpoint, type DatagramHandler, MemoryNetwork } from './memory-network.js';
