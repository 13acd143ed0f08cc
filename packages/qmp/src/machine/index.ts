export {
  type MachineExit,
  type PassedFd,
  QemuMachine,
  type QemuMachineOptions,
  type ShutdownOptions,
} from './machine.js';
