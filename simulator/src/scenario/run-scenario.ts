import { Args, StepFailed } from './command.js';
import { formatDuration } from './duration.js';
import type { Scenario, ScenarioStep } from './scenario-file.js';
import { type SimWorld, startWorld } from './world.js';

export interface ScenarioResult {
  readonly passed: boolean;
  /** The step that failed, and why (what it expected, what it saw). */
  readonly failure?: { readonly step: ScenarioStep; readonly message: string };
  readonly simulatedMs: number;
  readonly realMs: number;
}

export interface RunScenarioOptions {
  readonly print: (line: string) => void;
  /** Keep the store and depot files here instead of a temp folder that is removed after the run. */
  readonly dataDir?: string;
}

const stamp = (ms: number) => `+${formatDuration(ms)}`.padEnd(12);

/** Runs the steps in order on a world of its own; stops at the first step that fails. */
async function runSteps(world: SimWorld, scenario: Scenario, print: (line: string) => void) {
  for (const step of scenario.steps) {
    if (step.atMs !== undefined && step.atMs > world.elapsedMs()) await world.pass(step.atMs - world.elapsedMs());
    if (step.note) print(`${' '.repeat(12)}# ${step.note}`);
    try {
      const said = await step.command.run(world, new Args(step.args));
      const answer = said === undefined ? '' : `  -> ${said.split('\n').join(`\n${' '.repeat(16)}`)}`;
      print(`${stamp(world.elapsedMs())}${String(step.number).padStart(3)}. ${step.text}${answer}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      print(`${stamp(world.elapsedMs())}${String(step.number).padStart(3)}. ${step.text}`);
      return { step, message: error instanceof StepFailed ? message : `${(error as Error).name}: ${message}` };
    }
  }
  return undefined;
}

/**
 * Runs a scenario headless: its own cloud (relay on a temp SQLite store,
 * on the fleet's simulated clock), its depots registered through the cloud
 * CLI, then every step in order. Simulated time moves only through `at`,
 * `wait`/`offline` steps and expectations waiting for the network.
 */
export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const { print } = options;
  const realStart = Date.now();
  print(`Scenario: ${scenario.name}`);
  if (scenario.description) print(`  ${scenario.description}`);
  const world = await startWorld({
    depots: scenario.depots,
    startWallMs: scenario.startWallMs,
    dataDir: options.dataDir,
  });
  let failure: ScenarioResult['failure'];
  try {
    print(`  ${world.depots.map((d) => `${d.alias} = depot ${d.depotId} "${d.name}"`).join(', ')}`);
    print(`  simulated start ${new Date(world.nowMs()).toISOString()}`);
    failure = await runSteps(world, scenario, print);
  } finally {
    await world.stop();
  }
  const result = {
    passed: failure === undefined,
    failure,
    simulatedMs: world.elapsedMs(),
    realMs: Date.now() - realStart,
  };
  if (failure) {
    print(`FAILED at step ${failure.step.number} (${failure.step.text}):`);
    print(`  ${failure.message}`);
  } else {
    print(
      `PASSED: ${scenario.steps.length} steps, ${formatDuration(result.simulatedMs)} simulated in ${formatDuration(result.realMs)}`,
    );
  }
  return result;
}
