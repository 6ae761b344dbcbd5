/** Simulated depot hardware for tests and the simulator. */
export { type RealTimers, SimulatedClock, type SimulatedClockOptions } from './clock.js';
export { SimulatedCompartment, type SimulatedCompartmentOptions } from './compartment.js';
export { createSimulatedHardware, type SimulatedHardware, type SimulatedHardwareOptions } from './hardware.js';
export { SimulatedKeypad } from './keypad.js';
export { type LockPulse, SimulatedLock } from './lock.js';
export { SimulatedSensor, type SimulatedSensorOptions } from './sensor.js';
