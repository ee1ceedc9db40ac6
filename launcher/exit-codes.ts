// The exit codes, from the one vocabulary of failures (appliance/failures.ts), where each code names its own.
export { EXIT } from '../appliance/failures.ts';
