// monai-ts command line (bin: monai-ts).
export { main, buildProgram, type CliIO } from './program.js';
export { loadConfigFile } from './config_file.js';
