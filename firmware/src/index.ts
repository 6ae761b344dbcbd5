/** @keydepot/firmware: the depot daemon. Built up by the firmware issue; for now the link's first piece. */
export { nextInitiationStamp } from './link/initiation-stamp.js';
