/** Simulated depot hardware for tests, the simulator and `run --simulated-hardware`. */
export { SimulatedClock } from './clock.js';
export { createSimulatedHardware, type SimulatedHardware } from './hardware.js';
