// The CLI's commands, in the order --help lists them.
import type { Command } from './command';
import { dataCommand } from './data-command';
import { modelsCommand, summaryCommand } from './models-command';
import { trainCommand } from './train-command';
import { evaluateCommand, predictCommand } from './predict-command';
import { benchCommand } from './bench-command';
import { reproduceCommand } from './reproduce-command';
import { serveCommand } from './serve-command';
import { engineCommand } from './engine-command';
import { exportCommand, importCommand } from './keras-commands';

export type { Command } from './command';

export const COMMANDS: Command[] = [dataCommand, modelsCommand, summaryCommand, trainCommand, reproduceCommand, evaluateCommand, predictCommand, importCommand, exportCommand, benchCommand, engineCommand, serveCommand];
